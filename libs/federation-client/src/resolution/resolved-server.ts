/** Where a request for a server name goes, per spec SS API "Resolving server names". */
export interface ResolvedServer {
  /** Host to connect to: an IP literal (without brackets) or a DNS name. */
  readonly host: string;
  readonly port: number;
  /** Name the certificate must carry, also sent as SNI; absent for IP literals. */
  readonly tlsName?: string;
  /** The `Host` header. */
  readonly hostHeader: string;
}

export interface SrvTarget {
  readonly name: string;
  readonly port: number;
  readonly priority: number;
  readonly weight: number;
}

export interface WellKnownAnswer {
  /** The delegated server name, when the document named a valid one. */
  readonly server?: string;
  /** How long the answer may be cached. */
  readonly cacheMs: number;
}

/** How the resolver reaches DNS and the web; swapped for fakes in unit tests. */
export interface ResolverNetwork {
  /** SRV targets of a name; empty when there are none. */
  resolveSrv(name: string): Promise<SrvTarget[]>;
  fetchWellKnown(hostname: string): Promise<WellKnownAnswer>;
}

export const DEFAULT_FEDERATION_PORT = 8448;

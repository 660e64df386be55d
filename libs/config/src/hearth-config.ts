export type RegistrationMode = 'closed' | 'token' | 'open';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** The validated, frozen configuration every other lib receives. Paths are absolute. */
export interface HearthConfig {
  readonly serverName: string;
  readonly listen: { readonly host: string; readonly port: number };
  /** Base URL clients use to reach us; served in /.well-known/matrix/client. */
  readonly publicBaseUrl: string;
  readonly dataDir: string;
  readonly signingKeyPath: string;
  /** Absent: the embedded database in `dataDir`. */
  readonly databaseUrl?: string;
  /** Absent: in-process queue and notifier. */
  readonly redisUrl?: string;
  readonly registration: RegistrationMode;
  readonly logLevel: LogLevel;
  readonly privacy: PrivacyConfig;
  readonly retention: RetentionConfig;
  readonly maxRequestBodyBytes: number;
  readonly keyValidityMs: number;
  readonly accounts: {
    /** Handles only admins may hand out (no `@admin` or `@support` impersonation). */
    readonly reservedLocalparts: readonly string[];
    /** Who sees a profile besides its owner and admins: people sharing a room, or everyone signed in. */
    readonly profileVisibility: 'shared_rooms' | 'public';
    /** Whether the user directory finds every local account (an organisation's staff), not only those seen in rooms. */
    readonly directorySearchesAllLocalUsers: boolean;
    /** Presence tracked, in /sync and over federation; off by default (it is metadata). */
    readonly presenceEnabled: boolean;
    /** Lifetime of access tokens issued with a refresh token. */
    readonly accessTokenLifetimeMs: number;
    /** `org.matrix.login.jwt` for organisations with their own identity provider; absent: off. */
    readonly jwtLogin?: JwtLoginConfig;
  };
  readonly rooms: {
    /** Version of rooms created without an explicit `room_version`. */
    readonly defaultRoomVersion: string;
  };
  /** Each limit applies per client address and, where the request names one, per account. */
  readonly rateLimits: Readonly<Record<RateLimitedAction, RateLimit>>;
  /** Behind a reverse proxy: take the client address from X-Forwarded-For (for rate limits only). */
  readonly trustProxy: boolean;
  readonly federation: FederationConfig;
  /** TURN relays for calls; absent when the operator configured none. */
  readonly turn?: TurnConfig;
  readonly delivery: {
    /** Whether this process sends outbound federation (BullMQ consumer, or the in-process runner). */
    readonly consume: boolean;
    readonly maxRetryIntervalMs: number;
    /** A destination down longer than this is caught up with each room's newest event only. */
    readonly catchUpAfterMs: number;
  };
  readonly push: PushConfig;
  readonly media: MediaConfig;
  readonly wellKnown: {
    /** `m.server` delegation; when absent, /.well-known/matrix/server answers 404. */
    readonly server?: string;
    /** Extra keys merged into /.well-known/matrix/client beside `m.homeserver`. */
    readonly client: Readonly<Record<string, unknown>>;
  };
}

/** Push to phones through push gateways (docs/push.md). */
export interface PushConfig {
  /** Accept `http://` gateway URLs (otherwise https only). */
  readonly allowHttpGateways: boolean;
  /** Accept gateways on loopback, private and link-local addresses. */
  readonly allowPrivateGateways: boolean;
  readonly maxRetryIntervalMs: number;
  /** Notifications older than this are dropped instead of sent. */
  readonly maxPendingMs: number;
}

export interface FederationConfig {
  /** Absent: federation is served only on `listen`, e.g. behind a TLS reverse proxy. */
  readonly listen?: { readonly host: string; readonly port: number };
  /** PEM contents, read at boot, present exactly when `listen` is. */
  readonly tls?: { readonly cert: string; readonly key: string };
  /** Verify peers' certificates; off only for test set-ups. */
  readonly verifyTls: boolean;
  /** Absent: every server not denied. Entries are names or `*.domain`. */
  readonly allow?: readonly string[];
  readonly deny: readonly string[];
  readonly trustedKeyServers: readonly string[];
  readonly requestTimeoutMs: number;
  /** Whether other servers may list our public room directory. */
  readonly publicRooms: boolean;
}

export interface TurnConfig {
  readonly uris: readonly string[];
  /** coturn's `static-auth-secret`, which signs the time-limited credentials. */
  readonly sharedSecret: string;
  readonly userLifetimeMs: number;
}

export interface JwtLoginConfig {
  /** Exactly one key source: an HS256 secret, a PEM public key, or a JWKS URL. */
  readonly key:
    | { readonly kind: 'secret'; readonly secret: string }
    | { readonly kind: 'public-key'; readonly pem: string }
    | { readonly kind: 'jwks'; readonly url: string };
  readonly algorithms: readonly string[];
  readonly issuer: string;
  readonly audience: string | readonly string[];
  readonly subjectClaim: string;
  readonly provision: boolean;
}

export interface MediaConfig {
  readonly store: 'filesystem' | 's3';
  /** Absolute folder of the filesystem store. */
  readonly path: string;
  /** Present when `store` is `s3`. */
  readonly s3?: S3StoreConfig;
  readonly maxUploadBytes: number;
  /** Whether the legacy unauthenticated download and thumbnail endpoints answer. */
  readonly legacyUnauthenticatedMedia: boolean;
  /** Absent: no quota. */
  readonly quotaBytesPerUser?: number;
  readonly maxPendingUploads: number;
  readonly unusedExpiryMs: number;
  /** Largest file fetched from another server. */
  readonly maxRemoteBytes: number;
  /** How long other servers' media stays cached after its last download. */
  readonly remoteCacheMs: number;
  /** How long a peer may leave a media body without a byte. */
  readonly remoteIdleTimeoutMs: number;
  /** Whether a peer's media redirect may point outside the public internet. */
  readonly allowPrivateRedirects: boolean;
  readonly urlPreviews: UrlPreviewConfig;
}

/** URL previews (docs/media.md, "URL previews"); off by default. */
export interface UrlPreviewConfig {
  readonly enabled: boolean;
  /** Ranges refused besides every address that is not public unicast (CIDR). */
  readonly blockedIpRanges: readonly string[];
  /** Ranges let through whatever else says (CIDR). */
  readonly allowedIpRanges: readonly string[];
  readonly maxPageBytes: number;
  readonly timeoutMs: number;
  readonly maxRedirects: number;
  readonly cacheMs: number;
}

/** An S3-compatible bucket holding the media bytes (docs/media.md). */
export interface S3StoreConfig {
  /** Absent: AWS's endpoint for `region`. */
  readonly endpoint?: string;
  readonly bucket: string;
  readonly region: string;
  /** Absent: the AWS SDK's default credential chain. */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly forcePathStyle: boolean;
  /** Prepended to every key; empty or ending in `/`. */
  readonly prefix: string;
}

export type RateLimitedAction = 'login' | 'registration' | 'registration_token_validity' | 'media_upload';

export interface RateLimit {
  readonly requests: number;
  readonly perSeconds: number;
}

/** docs/privacy.md. Off by default: we keep the least metadata that works. */
export interface PrivacyConfig {
  readonly logClientIps: boolean;
  readonly logUserAgents: boolean;
  /** devices.last_seen_ts is rounded down to a multiple of this. */
  readonly deviceLastSeenResolutionMs: number;
  readonly deviceNamesOverFederation: boolean;
}

/** docs/privacy.md, "Retention": how long transient rows live before the purge job removes them. */
export interface RetentionConfig {
  readonly purgeIntervalMs: number;
  readonly transactionIdsMs: number;
  readonly undeliveredToDeviceMs: number;
  readonly outboxLeftoversMs: number;
  readonly notificationsMs: number;
  readonly remoteKeysMs: number;
  readonly expiredTokensMs: number;
  readonly redactedContentMs: number;
  readonly messages: {
    /** Absent: events live as long as their room unless the room sets m.room.retention. */
    readonly defaultLifetimeMs?: number;
    readonly minLifetimeMs: number;
    readonly maxLifetimeMs?: number;
  };
}

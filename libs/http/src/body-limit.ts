import { RouteConfig } from '@nestjs/platform-fastify';
import type { RouteOptions } from 'fastify';

/**
 * What a route may receive. Routes without a `@BodyLimit` read at most the server-wide
 * `max_request_body_bytes` (1 MiB by default, MSC4154's floor for every Client-Server endpoint).
 */
export interface BodyRules {
  /** The largest body the route reads, in bytes: larger ones are answered 413 M_TOO_LARGE, before they are read when Content-Length says so. */
  readonly maxBytes: number;
  /**
   * The handler refuses strings with U+0000 or lone surrogates itself, item by item, instead of
   * the body parser refusing the whole body: one bad PDU must not sink the rest of a federation
   * transaction. Nesting depth is bounded for every body regardless (see `maxDepth`).
   */
  readonly stringsCheckedByHandler?: boolean;
  /** Deepest nesting the body may have; default MAX_JSON_DEPTH. */
  readonly maxDepth?: number;
  /** The handler receives the body unread, as a stream (`request.body`), and enforces its own limit. */
  readonly rawStream?: boolean;
}

const CONFIG_KEY = 'hearthBody';

/** Spec "Size limits": an event is at most 65536 bytes, so no request that carries one event (or its content) needs more. */
export const EVENT_BODY_BYTES = 65_536;

/**
 * What a client stores for itself in one request (account data, its device's keys): MSC4154's
 * 1 MB, the least any Client-Server endpoint should accept, and no more. Declared on those routes
 * so that a larger server-wide default does not raise it: account data is sent in every initial sync.
 */
export const CLIENT_DATA_BODY_BYTES = 1_048_576;

/**
 * Synapse's ceiling for every request, 200 × 64 KiB: a federation transaction (50 PDUs and 100
 * EDUs, whose size the spec leaves open) fits, as do the few client bodies that grow with other
 * people's devices or a whole key backup. Clients and servers written against Synapse send up to this.
 */
export const BULK_BODY_BYTES = 200 * EVENT_BODY_BYTES;

/** Sets the route's body limit (and string policy) as Fastify route config, which `applyBodyLimits` turns into Fastify's own per-route `bodyLimit`. */
export function BodyLimit(maxBytes: number, options: Omit<BodyRules, 'maxBytes'> = {}): MethodDecorator {
  return RouteConfig({ [CONFIG_KEY]: { maxBytes, ...options } satisfies BodyRules });
}

/**
 * The route's body reaches the handler unread, as the request's stream (media uploads stream to
 * storage): no JSON parsing, no body limit here; the handler reads and limits it itself.
 */
export function RawBodyStream(): MethodDecorator {
  return RouteConfig({ [CONFIG_KEY]: { maxBytes: Number.MAX_SAFE_INTEGER, rawStream: true } satisfies BodyRules });
}

export function bodyRulesOf(config: unknown): BodyRules | undefined {
  return typeof config === 'object' && config !== null
    ? ((config as Record<string, unknown>)[CONFIG_KEY] as BodyRules | undefined)
    : undefined;
}

/** An `onRoute` hook: Fastify checks Content-Length against the route's own limit before reading a byte. */
export function applyBodyLimit(route: RouteOptions): void {
  const rules = bodyRulesOf(route.config);
  if (rules && !rules.rawStream) route.bodyLimit = rules.maxBytes;
}

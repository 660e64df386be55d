const R0_PREFIX = '/_matrix/client/r0/';
const V3_PREFIX = '/_matrix/client/v3/';
const MEDIA_R0_PREFIX = '/_matrix/media/r0/';
const MEDIA_V3_PREFIX = '/_matrix/media/v3/';

/**
 * Fastify's `rewriteUrl`: `/_matrix/client/r0/...` is served by the `/_matrix/client/v3/...`
 * route, before routing, so every v3 endpoint (and the 404/405 decision, which reads the
 * rewritten URL) has its r0 form without any controller knowing. Clients still in use
 * (matrix-nio, weechat-matrix, nheko, matrix-bot-sdk) speak r0 only.
 *
 * v3 is r0 renamed: the spec's v1.1 changed the prefix and nothing else, so the handlers are the
 * same. Endpoints the spec only ever put under `/v1/` (relations, threads, the registration
 * token's validity) are not reached: r0 maps to v3 and nothing else. Like Synapse, which serves
 * almost every client path under `(r0|v3|unstable)`, we also answer r0 for the few v3 endpoints
 * that came after r0 (knock, refresh, signatures upload): harmless, and kinder to clients that
 * build every URL from one prefix. The deprecated `api/v1` and `unstable` prefixes are not served.
 */
export function rewriteLegacyClientPath(url: string): string {
  if (url.startsWith(R0_PREFIX)) return V3_PREFIX + url.slice(R0_PREFIX.length);
  // the media API went from r0 to v3 the same way (upload, and the legacy download and thumbnail)
  if (url.startsWith(MEDIA_R0_PREFIX)) return MEDIA_V3_PREFIX + url.slice(MEDIA_R0_PREFIX.length);
  return url;
}

import * as ipaddr from 'ipaddr.js';
import { z } from 'zod';
import { isValidServerName } from '@hearth/protocol';

/** `host:port`, with IPv6 hosts in brackets (`[::1]:8008`). */
const listenAddress = z.string().transform((value, ctx) => {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(value);
  const port = match ? Number(match[3]) : NaN;
  if (!match || port > 65535) {
    ctx.addIssue({ code: 'custom', message: `expected host:port (e.g. 127.0.0.1:8008 or [::1]:8008), got "${value}"` });
    return z.NEVER;
  }
  return { host: (match[1] ?? match[2]) as string, port };
});

const serverName = z.string().refine(isValidServerName, {
  error: (issue) =>
    `expected a server name (DNS name, IPv4 or [IPv6] literal, optional :port), got "${String(issue.input)}"`,
});

const postgresUrl = z.string().refine((value) => /^postgres(ql)?:\/\//.test(value) && URL.canParse(value), {
  error: 'expected a postgres:// or postgresql:// URL',
});

const redisUrl = z.string().refine((value) => /^rediss?:\/\//.test(value) && URL.canParse(value), {
  error: 'expected a redis:// or rediss:// URL',
});

const httpUrl = z.string().refine((value) => /^https?:\/\//.test(value) && URL.canParse(value), {
  error: 'expected an http:// or https:// URL',
});

const positiveInt = z.coerce.number().int().positive();

const booleanLike = z.union([
  z.boolean(),
  z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => ['true', '1', 'yes'].includes(v)),
]);

/** An IPv4 or IPv6 range in CIDR notation (`10.0.0.0/8`, `fd00::/8`); a bare address is one host. */
const cidr = z.string().refine((value) => isPlainAddress(value) || (value.includes('/') && canParseCidr(value)), {
  error: (issue) => `expected an IP range in CIDR notation, got "${String(issue.input)}"`,
});

/** Dotted quads or IPv6 only: ipaddr.js also reads `1.2.3` or `0x7f.1`, which no operator means. */
function isPlainAddress(value: string): boolean {
  return ipaddr.IPv4.isValidFourPartDecimal(value) || ipaddr.IPv6.isValid(value);
}

function canParseCidr(value: string): boolean {
  try {
    if (!isPlainAddress(value.slice(0, value.indexOf('/')))) return false;
    ipaddr.parseCIDR(value);
    return true;
  } catch {
    return false;
  }
}

export const URL_PREVIEW_DEFAULTS = {
  enabled: false,
  blocked_ip_ranges: [],
  allowed_ip_ranges: [],
  max_page_bytes: 10 * 1024 * 1024,
  timeout_seconds: 10,
  max_redirects: 5,
  cache_minutes: 60,
};

/**
 * URL previews (docs/media.md): off, since they make the server fetch any URL a user names.
 * Addresses that are not public unicast are always refused; `blocked_ip_ranges` adds more,
 * `allowed_ip_ranges` lets some through (an intranet wiki) and wins over both.
 */
const urlPreviews = z
  .object({
    enabled: booleanLike.default(false),
    blocked_ip_ranges: z.array(cidr).default([]),
    allowed_ip_ranges: z.array(cidr).default([]),
    /** Synapse's `max_spider_size`, 10 MiB; the og:image is held to it too. */
    max_page_bytes: positiveInt.default(URL_PREVIEW_DEFAULTS.max_page_bytes),
    timeout_seconds: positiveInt.default(URL_PREVIEW_DEFAULTS.timeout_seconds),
    max_redirects: z.coerce.number().int().min(0).max(20).default(URL_PREVIEW_DEFAULTS.max_redirects),
    cache_minutes: positiveInt.default(URL_PREVIEW_DEFAULTS.cache_minutes),
  })
  .strict()
  .default(URL_PREVIEW_DEFAULTS);

/** An exact server name, or `*.example.org` for every name under a domain. */
const serverNamePattern = z
  .string()
  .refine((value) => isValidServerName(value.startsWith('*.') ? value.slice(2) : value), {
    error: (issue) => `expected a server name or *.domain, got "${String(issue.input)}"`,
  });

/** A duration with its unit (`90s`, `30m`, `1h`, `1d`), as Synapse writes them; in milliseconds. */
const duration = z.string().transform((value, ctx) => {
  const match = /^(\d{1,9})(ms|s|m|h|d)$/.exec(value);
  if (!match || Number(match[1]) === 0) {
    ctx.addIssue({
      code: 'custom',
      message: `expected a positive duration with a unit (e.g. 90s, 30m, 1h, 1d), got "${value}"`,
    });
    return z.NEVER;
  }
  const unitMs = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 'ms' | 's' | 'm' | 'h' | 'd'];
  return Number(match[1]) * unitMs;
});

const rateLimit = z.object({ requests: positiveInt, per_seconds: positiveInt }).strict();

/** The file's shape (snake_case, as operators write YAML). Environment overrides are merged in first. */
export const configFileSchema = z
  .object({
    server_name: serverName.default('localhost:8008'),
    listen: listenAddress.default({ host: '127.0.0.1', port: 8008 }),
    public_baseurl: httpUrl.optional(),
    data_dir: z.string().min(1).default('./data'),
    signing_key_path: z.string().min(1).optional(),
    database_url: postgresUrl.optional(),
    redis_url: redisUrl.optional(),
    registration: z.enum(['closed', 'token', 'open']).default('token'),
    log_level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** Older spelling of privacy.log_client_ips and privacy.log_user_agents together; either turns both on. */
    log_ip_addresses: booleanLike.default(false),
    // MSC4154: every Client-Server endpoint accepts at least 1 MB. Routes that need more (a federation
    // transaction) or less (an event) declare their own limit.
    max_request_body_bytes: positiveInt.default(1024 * 1024),
    key_validity_hours: positiveInt.default(24),
    reserved_localparts: z
      .array(z.string().min(1))
      .default([
        'admin',
        'administrator',
        'root',
        'support',
        'security',
        'abuse',
        'postmaster',
        'hostmaster',
        'webmaster',
        'noreply',
      ]),
    refreshable_access_token_lifetime_minutes: positiveInt.default(5),
    profile_visibility: z.enum(['shared_rooms', 'public']).default('shared_rooms'),
    /**
     * POST /user_directory/search also finds every local account, not only people the searcher shares
     * a room with or who sit in a public room. Off, as in Synapse: a server should not list who has an
     * account on it; an organisation whose staff should find each other turns it on.
     */
    user_directory_search_all_local_users: booleanLike.default(false),
    /**
     * Presence (online, idle, last active, status message). Off: it is metadata about when people use
     * their devices, and costs a write per request; the endpoints answer as Synapse's do with it off.
     */
    presence_enabled: booleanLike.default(false),
    default_room_version: z.enum(['6', '7', '8', '9', '10', '11', '12']).default('10'),
    jwt_login: z
      .object({
        /** HS256 shared secret (prefer secret_file). */
        secret: z.string().min(32).optional(),
        secret_file: z.string().optional(),
        /** PEM public key of the identity provider (RS256, ES256, EdDSA, ...). */
        public_key_file: z.string().optional(),
        jwks_url: httpUrl.optional(),
        algorithms: z.array(z.string()).min(1).default(['RS256', 'ES256', 'EdDSA']),
        issuer: z.string().min(1),
        audience: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
        subject_claim: z.string().min(1).default('sub'),
        /** Create the account on its first login. */
        provision: booleanLike.default(false),
      })
      .strict()
      .refine((jwt) => [jwt.secret, jwt.secret_file, jwt.public_key_file, jwt.jwks_url].filter(Boolean).length === 1, {
        error: 'expected exactly one of secret, secret_file, public_key_file or jwks_url',
      })
      .optional(),
    rate_limits: z
      .object({
        login: rateLimit.default({ requests: 10, per_seconds: 60 }),
        registration: rateLimit.default({ requests: 10, per_seconds: 60 }),
        registration_token_validity: rateLimit.default({ requests: 20, per_seconds: 60 }),
        // Per account, not per address: a gallery of photos is a burst, a script filling the disk is not.
        media_upload: rateLimit.default({ requests: 100, per_seconds: 60 }),
      })
      .strict()
      .default({
        login: { requests: 10, per_seconds: 60 },
        registration: { requests: 10, per_seconds: 60 },
        registration_token_validity: { requests: 20, per_seconds: 60 },
        media_upload: { requests: 100, per_seconds: 60 },
      }),
    trust_proxy: booleanLike.default(false),
    /** TURN relays handed to clients for calls (coturn's `use-auth-secret`); absent: GET /voip/turnServer answers {}. */
    turn_uris: z
      .array(z.string().regex(/^turns?:[^\s]+$/, 'expected a turn: or turns: URI'))
      .min(1)
      .optional(),
    /** coturn's `static-auth-secret` (prefer turn_shared_secret_file). */
    turn_shared_secret: z.string().min(1).optional(),
    turn_shared_secret_file: z.string().min(1).optional(),
    /** How long the credentials handed out stay valid; Synapse's default. */
    turn_user_lifetime: duration.default(3_600_000),
    federation: z
      .object({
        /** A second listener that serves federation (and everything else) over TLS itself. */
        listen: listenAddress.optional(),
        tls_cert: z.string().min(1).optional(),
        tls_key: z.string().min(1).optional(),
        /** Off only for test set-ups with self-made certificates. */
        verify_tls: booleanLike.default(true),
        /** When present, the only servers we federate with. */
        allow: z.array(serverNamePattern).optional(),
        deny: z.array(serverNamePattern).default([]),
        /** Notaries asked for a server's keys when the server itself does not answer. */
        trusted_key_servers: z.array(serverName).default([]),
        request_timeout_seconds: positiveInt.default(30),
        /** Serve the public room directory to other servers (off, as in Synapse: the list is for our users). */
        public_rooms: booleanLike.default(false),
      })
      .strict()
      .refine(
        (federation) =>
          federation.listen === undefined || (federation.tls_cert !== undefined && federation.tls_key !== undefined),
        {
          error: 'federation.listen needs tls_cert and tls_key (HEARTH_TLS_CERT, HEARTH_TLS_KEY)',
        },
      )
      .default({
        verify_tls: true,
        deny: [],
        trusted_key_servers: [],
        request_timeout_seconds: 30,
        public_rooms: false,
      }),
    delivery: z
      .object({
        /** Whether `hearth start` also sends outbound federation; `hearth worker` always does. */
        consume: booleanLike.default(true),
        /** The longest wait between attempts at a failing server. */
        max_retry_interval_minutes: positiveInt.default(60),
        /** After a server was down this long, it gets each room's newest event and fetches the rest itself. */
        catch_up_after_minutes: positiveInt.default(60),
      })
      .strict()
      .default({ consume: true, max_retry_interval_minutes: 60, catch_up_after_minutes: 60 }),
    // docs/privacy.md: every default keeps the least metadata that works.
    privacy: z
      .object({
        /** Client addresses in request log lines. */
        log_client_ips: booleanLike.default(false),
        /** User-Agent headers in request log lines. */
        log_user_agents: booleanLike.default(false),
        /** devices.last_seen_ts is rounded down to this: a day says "in use" without saying when. */
        device_last_seen_resolution_seconds: positiveInt.default(86400),
        /** Show device display names to other servers (Synapse's allow_device_name_lookup_over_federation). */
        device_names_over_federation: booleanLike.default(false),
      })
      .strict()
      .default({
        log_client_ips: false,
        log_user_agents: false,
        device_last_seen_resolution_seconds: 86400,
        device_names_over_federation: false,
      }),
    retention: z
      .object({
        /** How often one process (any) runs the purge job. */
        purge_interval_minutes: positiveInt.default(60),
        /** Client and federation transaction IDs (event_txns, to_device_txns, federation_inbound_txns). */
        transaction_ids_hours: positiveInt.default(24),
        /** To-device messages a device never fetched. */
        undelivered_to_device_days: positiveInt.default(30),
        /** Outbox rows for a destination that has not taken them. */
        outbox_leftovers_days: positiveInt.default(7),
        /** Unread-notification rows the user never read. */
        notifications_days: positiveInt.default(30),
        /** Other servers' keys, counted from when they stopped being valid. */
        remote_keys_days: positiveInt.default(30),
        /** Expired access and refresh tokens, counted from expiry (soft-logout answers need them a while). */
        expired_tokens_days: positiveInt.default(7),
        /** A redacted event's original content, counted from the redaction (Synapse's redaction_retention_period). */
        redacted_content_days: positiveInt.default(7),
        /** MSC1763: lifetime of room events when a room sets none; absent: kept until the room is gone. */
        message_default_days: positiveInt.optional(),
        /** MSC1763: rooms' m.room.retention max_lifetime is clamped into [min, max]. */
        message_min_days: positiveInt.default(1),
        message_max_days: positiveInt.optional(),
      })
      .strict()
      .refine(
        (retention) =>
          retention.message_max_days === undefined || retention.message_max_days >= retention.message_min_days,
        { error: 'retention.message_max_days must not be below message_min_days' },
      )
      .default({
        purge_interval_minutes: 60,
        transaction_ids_hours: 24,
        undelivered_to_device_days: 30,
        outbox_leftovers_days: 7,
        notifications_days: 30,
        remote_keys_days: 30,
        expired_tokens_days: 7,
        redacted_content_days: 7,
        message_min_days: 1,
      }),
    push: z
      .object({
        /** Gateways reached over plain http: off, so notification metadata never crosses a network unencrypted. */
        allow_http_gateways: booleanLike.default(false),
        /**
         * Gateways on loopback, private, link-local or other non-public addresses: off, so that a user
         * cannot make the server call into its own network (SSRF). On for an in-house gateway, and tests.
         */
        allow_private_gateways: booleanLike.default(false),
        /** The longest wait between attempts at a failing gateway. */
        max_retry_interval_minutes: positiveInt.default(10),
        /** Notifications still undelivered after this long are dropped: a day-old buzz is noise, /sync has them. */
        max_pending_hours: positiveInt.default(24),
      })
      .strict()
      .default({
        allow_http_gateways: false,
        allow_private_gateways: false,
        max_retry_interval_minutes: 10,
        max_pending_hours: 24,
      }),
    media: z
      .object({
        /**
         * Where the bytes live: `filesystem` keeps them under `path` (one host); `s3` in an
         * S3-compatible bucket that several processes or hosts share.
         */
        store: z.enum(['filesystem', 's3']).default('filesystem'),
        /** The S3 API's URL (MinIO, Garage, Ceph, R2...); absent: AWS's own endpoint for `s3_region`. */
        s3_endpoint: httpUrl.optional(),
        s3_bucket: z.string().min(3).max(63).optional(),
        /** AWS's default region; most other S3-compatible servers accept any value. */
        s3_region: z.string().min(1).default('us-east-1'),
        /** Absent: the AWS SDK's own chain (its environment variables, instance or task roles). */
        s3_access_key_id: z.string().min(1).optional(),
        s3_secret_access_key: z.string().min(1).optional(),
        /**
         * Address the bucket as `<endpoint>/<bucket>` rather than `<bucket>.<endpoint>`: what MinIO
         * and most self-hosted servers need. Off for AWS, which prefers virtual-hosted addressing.
         */
        s3_force_path_style: booleanLike.default(false),
        /** Key prefix inside the bucket, so one bucket can hold several servers' media. */
        s3_prefix: z.string().default(''),
        /** Default `<data_dir>/media`. */
        path: z.string().min(1).optional(),
        /** Synapse's default `max_upload_size`, 50 MiB: what clients written against Synapse expect. */
        max_upload_bytes: positiveInt.default(50 * 1024 * 1024),
        /**
         * Serve the legacy unauthenticated /_matrix/media/v3/download and /thumbnail. Off, as the
         * spec (v1.11) and Synapse's freeze recommend: anyone holding an mxc:// URL could fetch a
         * private room's files without signing in.
         */
        legacy_unauthenticated_media: booleanLike.default(false),
        /** Most bytes one account may have uploaded; absent: no quota. */
        quota_bytes_per_user: positiveInt.optional(),
        /** Asynchronous uploads (`/create`) an account may have waiting for their bytes; Synapse's 5. */
        max_pending_uploads: positiveInt.default(5),
        /** How long a created media ID waits for its bytes; Synapse's 24 hours. */
        unused_expiry_minutes: positiveInt.default(24 * 60),
        /** Largest file fetched from another server; absent: `max_upload_bytes`, as Synapse's `max_upload_size` bounds both. */
        max_remote_bytes: positiveInt.optional(),
        /** Other servers' media is cached this many days after its last download, then fetched anew if asked for. */
        remote_cache_days: positiveInt.default(30),
        /** A peer that sends no byte of a media body for this long is given up on. */
        remote_idle_timeout_seconds: positiveInt.default(30),
        /** Follow a peer's media `Location` into loopback, private and link-local addresses: for tests and closed networks only. */
        allow_private_redirects: booleanLike.default(false),
        url_previews: urlPreviews,
      })
      .strict()
      .refine((media) => media.store !== 's3' || media.s3_bucket !== undefined, {
        message: 'media.store s3 needs media.s3_bucket',
        path: ['s3_bucket'],
      })
      .refine((media) => (media.s3_access_key_id === undefined) === (media.s3_secret_access_key === undefined), {
        message: 'media.s3_access_key_id and media.s3_secret_access_key go together',
        path: ['s3_secret_access_key'],
      })
      .default({
        store: 'filesystem',
        s3_region: 'us-east-1',
        s3_force_path_style: false,
        s3_prefix: '',
        max_upload_bytes: 50 * 1024 * 1024,
        legacy_unauthenticated_media: false,
        max_pending_uploads: 5,
        unused_expiry_minutes: 24 * 60,
        remote_cache_days: 30,
        remote_idle_timeout_seconds: 30,
        allow_private_redirects: false,
        url_previews: URL_PREVIEW_DEFAULTS,
      }),
    well_known: z
      .object({
        server: z.string().optional(),
        client: z.record(z.string(), z.unknown()).optional(),
      })
      .strict()
      .default({}),
  })
  .strict()
  .refine(
    (file) =>
      (file.turn_uris === undefined) ===
      (file.turn_shared_secret === undefined && file.turn_shared_secret_file === undefined),
    { error: 'turn_uris and one of turn_shared_secret or turn_shared_secret_file go together', path: ['turn_uris'] },
  )
  .refine((file) => file.turn_shared_secret === undefined || file.turn_shared_secret_file === undefined, {
    error: 'expected only one of turn_shared_secret or turn_shared_secret_file',
    path: ['turn_shared_secret'],
  });

export type ConfigFile = z.input<typeof configFileSchema>;
export type ParsedConfigFile = z.output<typeof configFileSchema>;

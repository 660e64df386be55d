import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from './config-error';
import { configFileSchema, type ParsedConfigFile } from './config.schema';
import { applyEnvironment, sourceOf, type Environment } from './environment';
import type {
  FederationConfig,
  HearthConfig,
  JwtLoginConfig,
  PrivacyConfig,
  RateLimit,
  RetentionConfig,
  S3StoreConfig,
  UrlPreviewConfig,
  TurnConfig,
} from './hearth-config';

export const DEFAULT_CONFIG_PATH = 'hearth.yaml';

export interface LoadConfigOptions {
  /** Explicit `--config` path: must exist. Without it, `hearth.yaml` in `cwd` is read when present. */
  readonly configPath?: string;
  readonly env?: Environment;
  readonly cwd?: string;
}

/** Reads the config file and the environment, validates once and reports every problem at once. */
export function loadConfig(options: LoadConfigOptions = {}): HearthConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const file = readConfigFile(options.configPath, cwd);
  return buildConfig(applyEnvironment(file, env), env, cwd);
}

/** Validates already-merged raw keys; tests use it to build configs without files. */
export function buildConfig(raw: Record<string, unknown>, env: Environment = {}, cwd = process.cwd()): HearthConfig {
  const parsed = configFileSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(describeIssues(parsed.error, env));
  return deepFreeze(toHearthConfig(parsed.data, cwd));
}

function readConfigFile(configPath: string | undefined, cwd: string): Record<string, unknown> {
  const file = path.resolve(cwd, configPath ?? DEFAULT_CONFIG_PATH);
  if (!fs.existsSync(file)) {
    if (configPath) throw new ConfigError([`config file ${file} does not exist`]);
    return {};
  }
  let content: unknown;
  try {
    content = parseYaml(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError([`config file ${file} is not valid YAML: ${(error as Error).message.split('\n')[0]}`]);
  }
  if (content === null || content === undefined) return {};
  if (typeof content !== 'object' || Array.isArray(content)) {
    throw new ConfigError([`config file ${file} must hold a mapping of keys to values`]);
  }
  return content as Record<string, unknown>;
}

function describeIssues(error: z.ZodError, env: Environment): string[] {
  return error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      const where = issue.path.length ? `${issue.path.join('.')}: ` : '';
      return `${where}unknown key(s) ${issue.keys.join(', ')}`;
    }
    const key = issue.path.join('.');
    const source = sourceOf(key, env);
    const label = source === key ? key : `${source} (${key})`;
    return `${label}: ${issue.message}`;
  });
}

function toHearthConfig(file: ParsedConfigFile, cwd: string): HearthConfig {
  const dataDir = path.resolve(cwd, file.data_dir);
  const { host, port } = file.listen;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    serverName: file.server_name,
    listen: { host, port },
    publicBaseUrl: stripTrailingSlash(file.public_baseurl ?? `http://${urlHost}:${port}`),
    dataDir,
    signingKeyPath: path.resolve(
      dataDir,
      file.signing_key_path ?? `${file.server_name.replace(/[:[\]]/g, '_')}.signing.key`,
    ),
    databaseUrl: file.database_url,
    redisUrl: file.redis_url,
    registration: file.registration,
    logLevel: file.log_level,
    privacy: toPrivacyConfig(file),
    retention: toRetentionConfig(file.retention),
    maxRequestBodyBytes: file.max_request_body_bytes,
    keyValidityMs: file.key_validity_hours * 3600 * 1000,
    accounts: {
      reservedLocalparts: file.reserved_localparts.map((name) => name.toLowerCase()),
      accessTokenLifetimeMs: file.refreshable_access_token_lifetime_minutes * 60 * 1000,
      profileVisibility: file.profile_visibility,
      directorySearchesAllLocalUsers: file.user_directory_search_all_local_users,
      presenceEnabled: file.presence_enabled,
      jwtLogin: file.jwt_login && toJwtLoginConfig(file.jwt_login, cwd),
    },
    rooms: { defaultRoomVersion: file.default_room_version },
    rateLimits: {
      login: toRateLimit(file.rate_limits.login),
      registration: toRateLimit(file.rate_limits.registration),
      registration_token_validity: toRateLimit(file.rate_limits.registration_token_validity),
      media_upload: toRateLimit(file.rate_limits.media_upload),
    },
    trustProxy: file.trust_proxy,
    federation: toFederationConfig(file.federation, cwd),
    ...(file.turn_uris ? { turn: toTurnConfig(file, cwd) } : {}),
    delivery: {
      consume: file.delivery.consume,
      maxRetryIntervalMs: file.delivery.max_retry_interval_minutes * 60 * 1000,
      catchUpAfterMs: file.delivery.catch_up_after_minutes * 60 * 1000,
    },
    push: {
      allowHttpGateways: file.push.allow_http_gateways,
      allowPrivateGateways: file.push.allow_private_gateways,
      maxRetryIntervalMs: file.push.max_retry_interval_minutes * 60 * 1000,
      maxPendingMs: file.push.max_pending_hours * 3600 * 1000,
    },
    media: {
      store: file.media.store,
      path: path.resolve(dataDir, file.media.path ?? 'media'),
      ...(file.media.store === 's3' ? { s3: toS3StoreConfig(file.media) } : {}),
      maxUploadBytes: file.media.max_upload_bytes,
      legacyUnauthenticatedMedia: file.media.legacy_unauthenticated_media,
      ...(file.media.quota_bytes_per_user ? { quotaBytesPerUser: file.media.quota_bytes_per_user } : {}),
      maxPendingUploads: file.media.max_pending_uploads,
      unusedExpiryMs: file.media.unused_expiry_minutes * 60 * 1000,
      maxRemoteBytes: file.media.max_remote_bytes ?? file.media.max_upload_bytes,
      remoteCacheMs: file.media.remote_cache_days * 24 * 3600 * 1000,
      remoteIdleTimeoutMs: file.media.remote_idle_timeout_seconds * 1000,
      allowPrivateRedirects: file.media.allow_private_redirects,
      urlPreviews: toUrlPreviewConfig(file.media.url_previews),
    },
    wellKnown: { server: file.well_known.server, client: file.well_known.client ?? {} },
  };
}

function toUrlPreviewConfig(previews: ParsedConfigFile['media']['url_previews']): UrlPreviewConfig {
  return {
    enabled: previews.enabled,
    blockedIpRanges: previews.blocked_ip_ranges,
    allowedIpRanges: previews.allowed_ip_ranges,
    maxPageBytes: previews.max_page_bytes,
    timeoutMs: previews.timeout_seconds * 1000,
    maxRedirects: previews.max_redirects,
    cacheMs: previews.cache_minutes * 60 * 1000,
  };
}

function toS3StoreConfig(media: ParsedConfigFile['media']): S3StoreConfig {
  const { s3_access_key_id: accessKeyId, s3_secret_access_key: secretAccessKey } = media;
  const prefix = media.s3_prefix.replace(/^\/+/, '');
  return {
    ...(media.s3_endpoint ? { endpoint: media.s3_endpoint } : {}),
    bucket: media.s3_bucket ?? '',
    region: media.s3_region,
    ...(accessKeyId && secretAccessKey ? { credentials: { accessKeyId, secretAccessKey } } : {}),
    forcePathStyle: media.s3_force_path_style,
    prefix: prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`,
  };
}

const HOUR_MS = 3600 * 1000;
const DAY_MS = 24 * HOUR_MS;

function toPrivacyConfig(file: ParsedConfigFile): PrivacyConfig {
  return {
    logClientIps: file.privacy.log_client_ips || file.log_ip_addresses,
    logUserAgents: file.privacy.log_user_agents || file.log_ip_addresses,
    deviceLastSeenResolutionMs: file.privacy.device_last_seen_resolution_seconds * 1000,
    deviceNamesOverFederation: file.privacy.device_names_over_federation,
  };
}

function toRetentionConfig(retention: ParsedConfigFile['retention']): RetentionConfig {
  const days = (value: number | undefined) => (value === undefined ? undefined : value * DAY_MS);
  return {
    purgeIntervalMs: retention.purge_interval_minutes * 60 * 1000,
    transactionIdsMs: retention.transaction_ids_hours * HOUR_MS,
    undeliveredToDeviceMs: retention.undelivered_to_device_days * DAY_MS,
    outboxLeftoversMs: retention.outbox_leftovers_days * DAY_MS,
    notificationsMs: retention.notifications_days * DAY_MS,
    remoteKeysMs: retention.remote_keys_days * DAY_MS,
    expiredTokensMs: retention.expired_tokens_days * DAY_MS,
    redactedContentMs: retention.redacted_content_days * DAY_MS,
    messages: {
      defaultLifetimeMs: days(retention.message_default_days),
      minLifetimeMs: retention.message_min_days * DAY_MS,
      maxLifetimeMs: days(retention.message_max_days),
    },
  };
}

function toJwtLoginConfig(jwt: NonNullable<ParsedConfigFile['jwt_login']>, cwd: string): JwtLoginConfig {
  const readKeyFile = (file: string) => {
    const full = path.resolve(cwd, file);
    try {
      return fs.readFileSync(full, 'utf8');
    } catch {
      throw new ConfigError([`jwt_login: cannot read ${full}`]);
    }
  };
  const key: JwtLoginConfig['key'] = jwt.jwks_url
    ? { kind: 'jwks', url: jwt.jwks_url }
    : jwt.public_key_file
      ? { kind: 'public-key', pem: readKeyFile(jwt.public_key_file) }
      : { kind: 'secret', secret: jwt.secret ?? readKeyFile(jwt.secret_file as string).trim() };
  return {
    key,
    algorithms: key.kind === 'secret' ? ['HS256', 'HS384', 'HS512'] : jwt.algorithms,
    issuer: jwt.issuer,
    audience: jwt.audience,
    subjectClaim: jwt.subject_claim,
    provision: jwt.provision,
  };
}

function toTurnConfig(file: ParsedConfigFile, cwd: string): TurnConfig {
  let secret = file.turn_shared_secret;
  if (secret === undefined) {
    const full = path.resolve(cwd, file.turn_shared_secret_file as string);
    try {
      secret = fs.readFileSync(full, 'utf8').trim();
    } catch {
      throw new ConfigError([`turn_shared_secret_file: cannot read ${full}`]);
    }
    if (!secret) throw new ConfigError([`turn_shared_secret_file: ${full} is empty`]);
  }
  return { uris: file.turn_uris ?? [], sharedSecret: secret, userLifetimeMs: file.turn_user_lifetime };
}

function toFederationConfig(federation: ParsedConfigFile['federation'], cwd: string): FederationConfig {
  const readPem = (file: string, key: string) => {
    const full = path.resolve(cwd, file);
    try {
      return fs.readFileSync(full, 'utf8');
    } catch {
      throw new ConfigError([`federation.${key}: cannot read ${full}`]);
    }
  };
  const tls =
    federation.listen && federation.tls_cert && federation.tls_key
      ? { cert: readPem(federation.tls_cert, 'tls_cert'), key: readPem(federation.tls_key, 'tls_key') }
      : undefined;
  return {
    ...(federation.listen ? { listen: federation.listen } : {}),
    ...(tls ? { tls } : {}),
    verifyTls: federation.verify_tls,
    ...(federation.allow ? { allow: federation.allow } : {}),
    deny: federation.deny,
    trustedKeyServers: federation.trusted_key_servers,
    requestTimeoutMs: federation.request_timeout_seconds * 1000,
    publicRooms: federation.public_rooms,
  };
}

function toRateLimit(limit: { requests: number; per_seconds: number }): RateLimit {
  return { requests: limit.requests, perSeconds: limit.per_seconds };
}

function stripTrailingSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

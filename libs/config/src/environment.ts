/** Environment variables that override keys of the config file. */
export const ENVIRONMENT_OVERRIDES = {
  HEARTH_SERVER_NAME: 'server_name',
  HEARTH_LISTEN: 'listen',
  HEARTH_PUBLIC_BASEURL: 'public_baseurl',
  HEARTH_DATA_DIR: 'data_dir',
  HEARTH_SIGNING_KEY_PATH: 'signing_key_path',
  DATABASE_URL: 'database_url',
  REDIS_URL: 'redis_url',
  HEARTH_REGISTRATION: 'registration',
  HEARTH_LOG_LEVEL: 'log_level',
  HEARTH_LOG_IP_ADDRESSES: 'log_ip_addresses',
  HEARTH_LOG_CLIENT_IPS: 'privacy.log_client_ips',
  HEARTH_LOG_USER_AGENTS: 'privacy.log_user_agents',
  HEARTH_MAX_REQUEST_BODY_BYTES: 'max_request_body_bytes',
  HEARTH_KEY_VALIDITY_HOURS: 'key_validity_hours',
  HEARTH_TRUST_PROXY: 'trust_proxy',
  HEARTH_FEDERATION_LISTEN: 'federation.listen',
  HEARTH_TLS_CERT: 'federation.tls_cert',
  HEARTH_TLS_KEY: 'federation.tls_key',
  HEARTH_FEDERATION_VERIFY_TLS: 'federation.verify_tls',
  HEARTH_FEDERATION_REQUEST_TIMEOUT_SECONDS: 'federation.request_timeout_seconds',
  HEARTH_DELIVERY_CONSUME: 'delivery.consume',
  HEARTH_PUSH_ALLOW_HTTP_GATEWAYS: 'push.allow_http_gateways',
  HEARTH_PUSH_ALLOW_PRIVATE_GATEWAYS: 'push.allow_private_gateways',
  HEARTH_MEDIA_PATH: 'media.path',
  HEARTH_MEDIA_MAX_UPLOAD_BYTES: 'media.max_upload_bytes',
  HEARTH_MEDIA_LEGACY_UNAUTHENTICATED: 'media.legacy_unauthenticated_media',
  HEARTH_TURN_SHARED_SECRET_FILE: 'turn_shared_secret_file',
  HEARTH_TURN_USER_LIFETIME: 'turn_user_lifetime',
  HEARTH_USER_DIRECTORY_SEARCH_ALL_LOCAL_USERS: 'user_directory_search_all_local_users',
  HEARTH_PRESENCE_ENABLED: 'presence_enabled',
} as const;

export type Environment = Readonly<Record<string, string | undefined>>;

/** The file's keys with every set (non-empty) override applied; dotted keys reach into sections. */
export function applyEnvironment(file: Record<string, unknown>, env: Environment): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...file };
  for (const [variable, key] of Object.entries(ENVIRONMENT_OVERRIDES)) {
    const value = env[variable];
    if (value === undefined || value === '') continue;
    const [section, field] = key.split('.') as [string, string | undefined];
    if (field === undefined) {
      merged[section] = value;
      continue;
    }
    const existing = merged[section];
    const base = typeof existing === 'object' && existing !== null && !Array.isArray(existing) ? existing : {};
    merged[section] = { ...base, [field]: value };
  }
  return merged;
}

/** Which variable, if any, supplied a key: problems name what the operator actually typed. */
export function sourceOf(key: string, env: Environment): string {
  const variable = Object.entries(ENVIRONMENT_OVERRIDES).find(([name, k]) => k === key && env[name]);
  return variable ? variable[0] : key;
}

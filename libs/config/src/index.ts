export { ConfigError } from './config-error';
export { ConfigModule, HEARTH_CONFIG } from './config.module';
export { ENVIRONMENT_OVERRIDES } from './environment';
export type {
  FederationConfig,
  PushConfig,
  HearthConfig,
  JwtLoginConfig,
  TurnConfig,
  LogLevel,
  MediaConfig,
  UrlPreviewConfig,
  PrivacyConfig,
  RateLimit,
  RateLimitedAction,
  RegistrationMode,
  RetentionConfig,
  S3StoreConfig,
} from './hearth-config';
export { buildConfig, DEFAULT_CONFIG_PATH, loadConfig, type LoadConfigOptions } from './load-config';

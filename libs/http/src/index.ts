export { configureHttpSurface, type HttpSurfaceOptions } from './configure-http';
export {
  BodyLimit,
  RawBodyStream,
  BULK_BODY_BYTES,
  CLIENT_DATA_BODY_BYTES,
  EVENT_BODY_BYTES,
  type BodyRules,
} from './body-limit';
export { httpServerOptions, type HttpServerSettings } from './http-server-options';
export { parseJsonBody, parseJsonParam } from './json-body-parser';
export { declaredContentType } from './raw-body-stream';
export { MAX_PATH_PARAM_BYTES } from './request-params';
export { rewriteLegacyClientPath } from './legacy-client-paths';
export { createLogger, NestPinoLogger, type Logger } from './logger';
export { MatrixError, type MatrixErrorCode } from './matrix-error';
export { MatrixExceptionFilter } from './matrix-exception.filter';
export { redactQuery } from './request-logging';
export { RouteTable } from './route-table';
export { nullsAsAbsent, ZodBodyPipe } from './zod-body.pipe';
export { RateLimitModule } from './rate-limit/rate-limit.module';
export { RateLimitsService, type RateLimitSubject } from './rate-limit/rate-limits.service';
export { isPublicAddress, publicOnlyLookup } from './public-address';

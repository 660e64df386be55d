export { FederationClientModule } from './federation-client.module';
export { FederationClient, type FederationCall, type StreamedAnswer } from './client/federation-client';
export { FederationAnswerError, FederationRequestError, FederationUnreachableError } from './client/federation-errors';
export { FederationAuthGuard, FederationOrigin } from './auth/federation-auth.guard';
export { RemoteKeysService } from './keys/remote-keys.service';
export { FederationPolicy } from './policy/federation-policy';

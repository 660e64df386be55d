export { FederationAuthGuard, FederationOrigin } from './auth/federation-auth.guard';
export { FederationClient, type FederationCall } from './client/federation-client';
export { FederationRequestError, FederationUnreachableError } from './client/federation-errors';
export { FederationModule } from './federation.module';
export { MAX_NOTARY_SERVERS, NotaryService } from './keys/notary.service';
export { RemoteKeysService } from './keys/remote-keys.service';
export { buildServerKeyDocument } from './keys/server-key-document';
export { ServerKeysService } from './keys/server-keys.service';
export { FederationPolicy } from './policy/federation-policy';

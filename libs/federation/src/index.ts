export { FederationModule } from './federation.module';
export { buildServerKeyDocument } from './keys/server-key-document';
export { loadOrCreateSigningKey, readSigningKey, writeSigningKey } from './keys/signing-key-file';
export { ServerKeysService } from './keys/server-keys.service';

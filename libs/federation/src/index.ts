export { FederationModule } from './federation.module';
export { buildServerKeyDocument } from './keys/server-key-document';
export { ServerKeysService } from './keys/server-keys.service';

export { ServerSigner, SigningModule } from './server-signing-key';
export { loadOrCreateSigningKey, readSigningKey, writeSigningKey } from './signing-key-file';

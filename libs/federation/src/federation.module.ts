import { Module } from '@nestjs/common';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { loadOrCreateSigningKey } from './keys/signing-key-file';
import { SERVER_SIGNING_KEY, ServerKeysService } from './keys/server-keys.service';

@Module({
  providers: [
    {
      provide: SERVER_SIGNING_KEY,
      inject: [HEARTH_CONFIG],
      useFactory: (config: HearthConfig) => loadOrCreateSigningKey(config.signingKeyPath),
    },
    ServerKeysService,
  ],
  exports: [ServerKeysService],
})
export class FederationModule {}

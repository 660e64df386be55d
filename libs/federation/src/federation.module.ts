import { Module } from '@nestjs/common';
import { ServerKeysService } from './keys/server-keys.service';

@Module({
  providers: [ServerKeysService],
  exports: [ServerKeysService],
})
export class FederationModule {}

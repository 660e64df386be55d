import { Module } from '@nestjs/common';
import { FederationAuthGuard } from './auth/federation-auth.guard';
import { FederationClient } from './client/federation-client';
import { NotaryService } from './keys/notary.service';
import { RemoteKeysService } from './keys/remote-keys.service';
import { ServerKeyRepository } from './keys/server-key.repository';
import { ServerKeysService } from './keys/server-keys.service';
import { FederationPolicy } from './policy/federation-policy';

@Module({
  providers: [ServerKeysService, FederationPolicy, FederationClient, ServerKeyRepository, RemoteKeysService, NotaryService, FederationAuthGuard],
  exports: [ServerKeysService, FederationPolicy, FederationClient, RemoteKeysService, NotaryService, FederationAuthGuard],
})
export class FederationModule {}

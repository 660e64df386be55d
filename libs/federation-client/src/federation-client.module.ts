import { Module } from '@nestjs/common';
import { FederationAuthGuard } from './auth/federation-auth.guard';
import { FederationClient } from './client/federation-client';
import { RemoteKeysService } from './keys/remote-keys.service';
import { ServerKeyRepository } from './keys/server-key.repository';
import { FederationPolicy } from './policy/federation-policy';

/**
 * The transport to other homeservers, below federation, delivery and media (which all import it,
 * and none of which it imports): server discovery, the signed HTTP client, other servers' keys
 * (cached, also for checking their requests), and the allow/deny policy for both directions.
 */
@Module({
  providers: [FederationPolicy, FederationClient, ServerKeyRepository, RemoteKeysService, FederationAuthGuard],
  exports: [FederationPolicy, FederationClient, RemoteKeysService, FederationAuthGuard],
})
export class FederationClientModule {}

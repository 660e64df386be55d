import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigModule, type HearthConfig } from '@hearth/config';
import { FederationModule } from '@hearth/federation';
import { RateLimitModule } from '@hearth/http';
import { ALL_MIGRATIONS } from '@hearth/migrations';
import { type DatabaseEndpoint, StorageModule } from '@hearth/storage';
import { VersionsController } from './client/versions.controller';
import { FederationVersionController } from './federation/federation-version.controller';
import { HealthController } from './health/health.controller';
import { ServerKeyController } from './keys/server-key.controller';
import { WellKnownController } from './wellknown/well-known.controller';

@Module({})
export class AppModule {
  static register(config: HearthConfig, endpoint: DatabaseEndpoint): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        StorageModule.forRoot({ endpoint, migrations: ALL_MIGRATIONS, serverName: config.serverName }),
        RateLimitModule,
        FederationModule,
      ],
      controllers: [
        VersionsController,
        FederationVersionController,
        ServerKeyController,
        WellKnownController,
        HealthController,
      ],
    };
  }
}

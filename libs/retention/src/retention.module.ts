import { Module } from '@nestjs/common';
import { DeliveryModule } from '@hearth/delivery';
import { MediaModule } from '@hearth/media';
import { PurgeRunner } from './purge-runner';
import { RetentionScheduler } from './retention-scheduler';

/** Bounded retention of transient rows (issue 21, item 3; docs/privacy.md, "Retention"). */
@Module({
  imports: [DeliveryModule, MediaModule],
  providers: [PurgeRunner, RetentionScheduler],
  exports: [PurgeRunner],
})
export class RetentionModule {}

import { Module } from '@nestjs/common';
import { MediaModule } from '@hearth/media';
import { RoomsModule } from '@hearth/rooms';
import { AdminExportsService } from './admin-exports.service';
import { ExportBuilder } from './export-builder';
import { UserRowsRepository } from './user-rows.repository';

/**
 * Building export archives, on its own so that `hearth admin export-user` can build one in the
 * command's process (PostgreSQL, or an embedded database no server holds) without the queue.
 */
@Module({
  imports: [RoomsModule, MediaModule],
  providers: [UserRowsRepository, ExportBuilder, AdminExportsService],
  exports: [ExportBuilder, AdminExportsService],
})
export class ExportModule {}

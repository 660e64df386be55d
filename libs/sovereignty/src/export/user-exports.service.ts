import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import type { DeliveryQueue } from '@hearth/delivery';
import { MatrixError } from '@hearth/http';
import { packFolder } from './archive-packer';
import { ExportBuilder } from './export-builder';
import { EXPORT_LIFETIME_MS } from './export-format';
import { EXPORT_QUEUE } from './export-queue';
import { toExportView, type ExportView } from './export-view';
import { UserExportRepository, type UserExport } from './user-export.repository';

const SWEEP_INTERVAL_MS = 3600 * 1000;

/** Self-service export: ask, watch, download; one archive at a time per user. */
@Injectable()
export class UserExportsService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(UserExportsService.name);
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
    @Inject(EXPORT_QUEUE) private readonly queue: DeliveryQueue,
    private readonly exports: UserExportRepository,
    private readonly builder: ExportBuilder,
  ) {}

  onModuleInit(): void {
    if (!this.config.delivery.consume) return;
    this.queue.consume((exportId) => this.run(exportId));
    const sweep = () =>
      void this.sweepExpired().catch((error: unknown) => this.logger.warn(`sweeping exports failed: ${String(error)}`));
    this.sweeper = setInterval(sweep, SWEEP_INTERVAL_MS);
    this.sweeper.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.sweeper);
    await this.queue.close();
  }

  async request(userId: string): Promise<ExportView> {
    await this.sweepExpired();
    const exportId = randomBytes(12).toString('base64url');
    if (!(await this.exports.insertPending(exportId, userId, Date.now()))) {
      const running = await this.exports.unfinished(userId);
      throw new MatrixError(429, 'M_LIMIT_EXCEEDED', 'An export is already being prepared; one at a time', {
        ...(running ? { export_id: running.exportId } : {}),
      });
    }
    await this.queue.schedule(exportId);
    return toExportView((await this.exports.find(exportId)) as UserExport);
  }

  /** The user's own export; anyone else's is reported missing, as if it did not exist. */
  async status(userId: string, exportId: string): Promise<ExportView> {
    return toExportView(await this.ownExport(userId, exportId));
  }

  async latest(userId: string): Promise<ExportView> {
    const found = await this.exports.latest(userId);
    if (!found || this.hasExpired(found)) throw MatrixError.notFound('No export');
    return toExportView(found);
  }

  /** Where a ready archive lies, for streaming it out. */
  async archive(userId: string, exportId: string): Promise<{ filePath: string; sizeBytes: number }> {
    const found = await this.ownExport(userId, exportId);
    if (found.state !== 'ready') throw MatrixError.notFound('The archive is not ready');
    const filePath = this.archivePath(exportId);
    if (!fs.existsSync(filePath)) throw MatrixError.notFound('The archive is gone');
    return { filePath, sizeBytes: found.sizeBytes ?? fs.statSync(filePath).size };
  }

  /** For erasure, inside its transaction: refuses while an export is pending or running. */
  async assertNoneRunning(userId: string, em: EntityManager): Promise<void> {
    if (await this.exports.hasUnfinished(userId, em)) {
      throw new MatrixError(409, 'M_UNKNOWN', 'An export is being prepared; erase once it is ready');
    }
  }

  async deleteAllOf(userId: string): Promise<void> {
    for (const item of await this.exports.allOf(userId)) await this.remove(item.exportId);
  }

  /** The queue's job: build, pack, record. A failure leaves no file and a `failed` row. */
  async run(exportId: string): Promise<void> {
    if (!(await this.exports.claim(exportId))) return;
    const item = (await this.exports.find(exportId)) as UserExport;
    const work = path.join(this.folder(), `${exportId}.work`);
    const archive = this.archivePath(exportId);
    try {
      fs.mkdirSync(work, { recursive: true });
      await this.builder.build(item.userId, this.config.serverName, work, (done, total) =>
        this.exports.progress(exportId, done, total),
      );
      const size = await packFolder(work, `${archive}.part`);
      fs.renameSync(`${archive}.part`, archive);
      const now = Date.now();
      if (!(await this.exports.finish(exportId, size, now, now + EXPORT_LIFETIME_MS)))
        fs.rmSync(archive, { force: true });
    } catch (error) {
      this.logger.error(`export ${exportId} failed: ${String(error)}`);
      fs.rmSync(`${archive}.part`, { force: true });
      fs.rmSync(archive, { force: true });
      await this.exports.fail(exportId, Date.now());
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  }

  private async ownExport(userId: string, exportId: string): Promise<UserExport> {
    const found = await this.exports.find(exportId);
    if (!found || found.userId !== userId || this.hasExpired(found)) throw MatrixError.notFound('No such export');
    return found;
  }

  private hasExpired(item: UserExport): boolean {
    return item.expiresTs !== null && item.expiresTs <= Date.now();
  }

  private async sweepExpired(): Promise<void> {
    for (const item of await this.exports.expired(Date.now())) await this.remove(item.exportId);
  }

  private async remove(exportId: string): Promise<void> {
    fs.rmSync(this.archivePath(exportId), { force: true });
    await this.exports.delete(exportId);
  }

  private folder(): string {
    return path.join(this.config.dataDir, 'exports');
  }

  private archivePath(exportId: string): string {
    return path.join(this.folder(), `${exportId}.tar.gz`);
  }
}

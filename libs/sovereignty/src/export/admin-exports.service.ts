import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { packFolder } from './archive-packer';
import { ExportBuilder } from './export-builder';
import { UserRowsRepository } from './user-rows.repository';

export interface AdminExportProgress {
  readonly state: 'running' | 'ready' | 'failed';
  readonly rooms_done: number;
  readonly rooms_total: number;
  readonly size_bytes?: number;
  readonly error?: string;
}

/**
 * An operator's export of a user (`hearth admin export-user`, answering a data-subject request):
 * the same archive as the self-service export, built at once in the process that serves the
 * command and written where the operator asked, with no row in `user_exports` (the user did not
 * ask for it, and it is not theirs to download). Jobs live in memory while the command polls them.
 */
@Injectable()
export class AdminExportsService {
  private readonly logger = new Logger(AdminExportsService.name);
  private readonly jobs = new Map<string, AdminExportProgress>();

  constructor(
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
    private readonly builder: ExportBuilder,
    private readonly rows: UserRowsRepository,
  ) {}

  /** Starts the export of `userId` into `outPath` (absolute) and answers the job's ID to poll. */
  async begin(userId: string, outPath: string): Promise<string> {
    if (!(await this.rows.userExists(userId))) throw new Error(`no such user on this server: ${userId}`);
    if (!path.isAbsolute(outPath)) throw new Error(`the output path must be absolute: ${outPath}`);
    if (!fs.existsSync(path.dirname(outPath))) throw new Error(`no such folder: ${path.dirname(outPath)}`);
    const jobId = randomBytes(12).toString('base64url');
    this.jobs.set(jobId, { state: 'running', rooms_done: 0, rooms_total: 0 });
    void this.run(jobId, userId, outPath);
    return jobId;
  }

  /** The job's progress; a finished job is forgotten once it has been read. */
  progress(jobId: string): AdminExportProgress {
    const job = this.jobs.get(jobId);
    if (!job) throw new Error(`no such export job: ${jobId}`);
    if (job.state !== 'running') this.jobs.delete(jobId);
    return job;
  }

  private async run(jobId: string, userId: string, outPath: string): Promise<void> {
    const work = path.join(this.config.dataDir, 'exports', `admin-${jobId}.work`);
    try {
      fs.mkdirSync(work, { recursive: true });
      await this.builder.build(userId, this.config.serverName, work, (done, total) => {
        this.jobs.set(jobId, { state: 'running', rooms_done: done, rooms_total: total });
        return Promise.resolve();
      });
      const size = await packFolder(work, `${outPath}.part`);
      fs.renameSync(`${outPath}.part`, outPath);
      const last = this.jobs.get(jobId);
      this.jobs.set(jobId, { ...(last ?? { rooms_done: 0, rooms_total: 0 }), state: 'ready', size_bytes: size });
    } catch (error) {
      this.logger.error(`admin export of ${userId} failed: ${String(error)}`);
      fs.rmSync(`${outPath}.part`, { force: true });
      this.jobs.set(jobId, { state: 'failed', rooms_done: 0, rooms_total: 0, error: String(error) });
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  }
}

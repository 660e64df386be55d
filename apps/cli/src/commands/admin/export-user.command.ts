import * as path from 'node:path';
import { SingleBar } from 'cli-progress';
import type { HearthConfig } from '@hearth/config';
import type { AdminExportProgress } from '@hearth/sovereignty';
import { withAdminOperations } from './admin-context';

const POLL_MS = 200;

export interface ExportUserOptions {
  readonly out: string;
}

/**
 * `hearth admin export-user @ana:work.example --out ana.tar.gz`: the user's export archive
 * (docs/export.md; always tar.gz, whatever the name), with a progress bar on a terminal and one
 * line per room otherwise.
 */
export async function exportUserCommand(
  config: HearthConfig,
  userId: string,
  options: ExportUserOptions,
): Promise<void> {
  const outPath = path.resolve(options.out);
  const report = progressReporter();
  const final = await withAdminOperations(config, async (admin) => {
    const jobId = await admin.beginUserExport(userId, outPath);
    for (;;) {
      const progress = await admin.exportUserProgress(jobId);
      report.update(progress);
      if (progress.state !== 'running') return progress;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  });
  report.stop();
  if (final.state === 'failed') throw new Error(`the export failed: ${final.error ?? 'see the server log'}`);
  process.stdout.write(`wrote ${outPath} (${final.size_bytes ?? 0} bytes, tar.gz, ${final.rooms_total} rooms)\n`);
}

interface ProgressReporter {
  update(progress: AdminExportProgress): void;
  stop(): void;
}

function progressReporter(): ProgressReporter {
  if (process.stdout.isTTY) {
    const bar = new SingleBar({ format: 'exporting [{bar}] {value}/{total} rooms', hideCursor: true });
    let started = false;
    return {
      update: ({ rooms_done: done, rooms_total: total }) => {
        if (!started) bar.start(total, done);
        started = true;
        bar.setTotal(total);
        bar.update(done);
      },
      stop: () => bar.stop(),
    };
  }
  let last = -1;
  return {
    update: ({ state, rooms_done: done, rooms_total: total }) => {
      // A fast export may be ready at the first poll: its count is still printed once.
      if (state === 'failed' || done === last || total === 0) return;
      last = done;
      process.stdout.write(`exporting: ${done}/${total} rooms\n`);
    },
    stop: () => undefined,
  };
}

import type { HearthConfig } from '@hearth/config';
import { startWorker } from '@hearth/homeserver';

/** `hearth worker`: consume the delivery queue until SIGTERM/SIGINT. */
export async function workerCommand(config: HearthConfig): Promise<void> {
  const worker = await startWorker(config);
  const stop = () => {
    worker
      .close()
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        process.stderr.write(`hearth: shutdown failed: ${String(error)}\n`);
        process.exit(1);
      });
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

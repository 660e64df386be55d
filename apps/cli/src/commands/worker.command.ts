import type { HearthConfig } from '@hearth/config';
import { startWorker } from '@hearth/homeserver';
import { closeOnSignal } from './close-on-signal';

/** `hearth worker`: consume the delivery queue until SIGTERM/SIGINT. */
export async function workerCommand(config: HearthConfig): Promise<void> {
  const worker = await startWorker(config);
  closeOnSignal(() => worker.close());
}

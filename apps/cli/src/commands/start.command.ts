import type { HearthConfig } from '@hearth/config';
import { startHomeserver } from '@hearth/homeserver';
import { closeOnSignal } from './close-on-signal';

/** `hearth start`: serve until SIGTERM/SIGINT, then shut down gracefully. */
export async function startCommand(config: HearthConfig): Promise<void> {
  const server = await startHomeserver(config);
  closeOnSignal(() => server.close());
}

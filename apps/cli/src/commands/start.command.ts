import type { HearthConfig } from '@hearth/config';
import { startHomeserver } from '@hearth/homeserver';

/** `hearth start`: serve until SIGTERM/SIGINT, then shut down gracefully. */
export async function startCommand(config: HearthConfig): Promise<void> {
  const server = await startHomeserver(config);
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      process.stderr.write(`hearth: ${signal} again, exiting now\n`);
      process.exit(1);
    }
    stopping = true;
    server
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

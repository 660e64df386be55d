/** Runs until SIGTERM or SIGINT, then `close` (a second signal exits at once), then exits. */
export function closeOnSignal(close: () => Promise<void>): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      process.stderr.write(`hearth: ${signal} again, exiting now\n`);
      process.exit(1);
    }
    stopping = true;
    close()
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        process.stderr.write(`hearth: shutdown failed: ${String(error)}\n`);
        process.exit(1);
      });
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

import { ConfigError } from '@hearth/config';
import { ServerIdentityMismatchError } from '@hearth/storage';

/** Operators get one clear line per problem, never a stack trace (add --debug for one). */
export function reportFailure(error: unknown, debug: boolean): number {
  if (error instanceof ConfigError) {
    for (const problem of error.problems) process.stderr.write(`hearth: config error: ${problem}\n`);
    return 2;
  }
  if (error instanceof ServerIdentityMismatchError) {
    process.stderr.write(`hearth: ${error.message}\n`);
    return 2;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`hearth: ${message.split('\n')[0]}\n`);
  if (debug && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  return 1;
}

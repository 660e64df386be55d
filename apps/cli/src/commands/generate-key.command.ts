import * as fs from 'node:fs';
import * as path from 'node:path';
import type { HearthConfig } from '@hearth/config';
import { readSigningKey, writeSigningKey } from '@hearth/signing';
import { generateSigningKey } from '@hearth/protocol';

export interface GenerateKeyOptions {
  readonly output?: string;
  readonly force?: boolean;
}

/**
 * `hearth generate-key`: write a new ed25519 signing key (Synapse's file format) to the
 * configured path or `--output`. An existing key is kept unless `--force`: other servers
 * cache our key, and replacing it without care breaks their verification of our past events.
 */
export function generateKeyCommand(config: HearthConfig, options: GenerateKeyOptions): void {
  const file = path.resolve(options.output ?? config.signingKeyPath);
  if (fs.existsSync(file) && !options.force) {
    const existing = readSigningKey(file);
    process.stdout.write(`${file} already holds key ${existing.keyId}; use --force to replace it\n`);
    return;
  }
  const key = generateSigningKey();
  writeSigningKey(file, key);
  process.stdout.write(`wrote key ${key.keyId} to ${file}\n`);
}

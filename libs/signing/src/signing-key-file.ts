import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatSigningKeyFile, generateSigningKey, parseSigningKeyFile, type SigningKey } from '@hearth/protocol';

/**
 * Our server's signing key, in Synapse's file format (`ed25519 <version> <seed>`) so that
 * operators can carry a key between implementations. Created on first start.
 */
export function loadOrCreateSigningKey(file: string): SigningKey {
  if (fs.existsSync(file)) return readSigningKey(file);
  const key = generateSigningKey();
  writeSigningKey(file, key);
  return key;
}

export function readSigningKey(file: string): SigningKey {
  const keys = parseSigningKeyFile(fs.readFileSync(file, 'utf8'));
  const key = keys[0];
  if (!key) throw new Error(`signing key file ${file} holds no key`);
  return key;
}

/** Written to a temporary file and renamed, so a crash never leaves half a key behind. */
export function writeSigningKey(file: string, key: SigningKey): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, formatSigningKeyFile([key]), { mode: 0o600 });
  fs.renameSync(temporary, file);
}

import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { MAX_PASSWORD_LENGTH } from '@hearth/accounts';
import type { HearthConfig } from '@hearth/config';
import { withAdminOperations } from './admin-context';

export interface CreateUserOptions {
  readonly admin?: boolean;
  readonly passwordFile?: string;
}

/** `hearth admin create-user <handle>`: how an organisation creates its first admin. */
export async function createUserCommand(
  config: HearthConfig,
  handle: string,
  options: CreateUserOptions,
): Promise<void> {
  const generated = options.passwordFile === undefined;
  const password = generated ? randomBytes(18).toString('base64url') : readPasswordFile(options.passwordFile);
  const localpart = handle.replace(/^@/, '').split(':')[0] ?? '';
  const userId = await withAdminOperations(config, (admin) =>
    admin.createUser({ localpart, password, admin: options.admin ?? false }),
  );
  process.stdout.write(`created ${userId}${options.admin ? ' (admin)' : ''}\n`);
  if (generated) process.stdout.write(`password: ${password}\n`);
}

function readPasswordFile(file: string): string {
  const password = fs.readFileSync(file, 'utf8').split(/\r?\n/, 1)[0] ?? '';
  if (password.length === 0 || password.length > MAX_PASSWORD_LENGTH)
    throw new Error(`${file}: the first line must hold a password of 1-${MAX_PASSWORD_LENGTH} characters`);
  return password;
}

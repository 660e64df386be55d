import type { HearthConfig } from '@hearth/config';
import { withAdminOperations } from './admin-context';

export interface CreateTokenOptions {
  readonly uses?: string;
  readonly expires?: string;
  readonly token?: string;
}

/** `hearth admin registration-token create`: an invitation colleagues register with. */
export async function createRegistrationTokenCommand(config: HearthConfig, options: CreateTokenOptions): Promise<void> {
  const usesAllowed = options.uses === undefined ? null : parseUses(options.uses);
  const expiryTime = options.expires === undefined ? null : parseExpiry(options.expires);
  const created = await withAdminOperations(config, (admin) =>
    admin.createRegistrationToken({
      ...(options.token === undefined ? {} : { token: options.token }),
      usesAllowed,
      expiryTime,
    }),
  );
  process.stdout.write(`${created.token}\n`);
}

export async function listRegistrationTokensCommand(config: HearthConfig): Promise<void> {
  const tokens = await withAdminOperations(config, (admin) => admin.listRegistrationTokens());
  for (const token of tokens) process.stdout.write(`${JSON.stringify(token)}\n`);
}

export async function revokeRegistrationTokenCommand(config: HearthConfig, token: string): Promise<void> {
  await withAdminOperations(config, (admin) => admin.revokeRegistrationToken(token));
  process.stdout.write(`revoked ${token}\n`);
}

function parseUses(value: string): number {
  if (!/^\d+$/.test(value)) throw new Error(`--uses expects a whole number, got "${value}"`);
  return Number(value);
}

function parseExpiry(value: string): number {
  const time = Date.parse(value);
  if (Number.isNaN(time))
    throw new Error(`--expires expects an ISO 8601 date such as 2026-12-31T23:59:59Z, got "${value}"`);
  return time;
}

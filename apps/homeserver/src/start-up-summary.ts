import type { INestApplicationContext } from '@nestjs/common';
import { AdminUsersService } from '@hearth/accounts';
import type { HearthConfig } from '@hearth/config';
import type { Logger } from '@hearth/http';
import { embeddedDirectoryFor } from '@hearth/storage';

const REGISTRATION_MODES: Record<HearthConfig['registration'], string> = {
  token: 'people register with an invitation token (hearth admin registration-token create)',
  open: 'anyone who can reach this server may register',
  closed: 'only admins create accounts',
};

/** What an operator needs on the first screen: where the data lives, who may register, and the first admin. */
export async function logStartUpSummary(
  app: INestApplicationContext,
  config: HearthConfig,
  logger: Logger,
  listening: { url: string; federationUrl?: string },
): Promise<void> {
  logger.info({ ...listening, serverName: config.serverName }, 'hearth is listening');
  logger.info({ database: describeDatabase(config), signingKey: config.signingKeyPath }, 'data');
  logger.info({ registration: config.registration }, `registration: ${REGISTRATION_MODES[config.registration]}`);
  if (!(await app.get(AdminUsersService).hasActiveAdmin())) {
    logger.info(
      { command: 'hearth admin create-user <handle> --admin' },
      'no admin yet: create the first with `npm run hearth -- admin create-user <handle> --admin` (works while the server runs)',
    );
  }
}

function describeDatabase(config: HearthConfig): string {
  if (!config.databaseUrl)
    return `embedded, in ${embeddedDirectoryFor(config.dataDir)} (one process; DATABASE_URL selects PostgreSQL)`;
  try {
    const url = new URL(config.databaseUrl);
    return `PostgreSQL at ${url.host || 'a local socket'}${url.pathname}`;
  } catch {
    return 'PostgreSQL';
  }
}

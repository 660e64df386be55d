import { Command } from 'commander';
import { loadConfig, type HearthConfig } from '@hearth/config';
import {
  setAvailabilityDefaultCommand,
  showAvailabilityDefaultCommand,
  type SetDefaultOptions,
} from './commands/admin/availability.command';
import { createUserCommand } from './commands/admin/create-user.command';
import { exportUserCommand } from './commands/admin/export-user.command';
import {
  createRegistrationTokenCommand,
  listRegistrationTokensCommand,
  revokeRegistrationTokenCommand,
} from './commands/admin/registration-token.command';
import { generateKeyCommand } from './commands/generate-key.command';
import { migrateCommand } from './commands/migrate.command';
import { startCommand } from './commands/start.command';
import { workerCommand } from './commands/worker.command';

interface GlobalOptions {
  config?: string;
}

/** The `hearth` command line. */
export function buildProgram(): Command {
  const program = new Command('hearth')
    .description('Hearth, a Matrix homeserver')
    .option('-c, --config <path>', 'config file (default: ./hearth.yaml when present)')
    .option('--debug', 'print stack traces of start-up failures')
    .showHelpAfterError()
    .configureOutput({ outputError: (text, write) => write(`hearth: ${text.replace(/^error: /, '')}`) });

  program
    .command('start')
    .description('run the homeserver (client and federation API) until SIGTERM or SIGINT')
    .action(async (_options, command: Command) => startCommand(configFrom(command)));

  program
    .command('worker')
    .description(
      'send outbound federation from the shared queue (needs DATABASE_URL and REDIS_URL) until SIGTERM or SIGINT',
    )
    .action(async (_options, command: Command) => workerCommand(configFrom(command)));

  program
    .command('migrate')
    .description('apply pending database migrations and exit')
    .action(async (_options, command: Command) => migrateCommand(configFrom(command)));

  program
    .command('generate-key')
    .description("create the server's ed25519 signing key (Synapse's key file format)")
    .option('-o, --output <file>', 'write here instead of the configured signing key path')
    .option('-f, --force', 'replace an existing key')
    .action((options: { output?: string; force?: boolean }, command: Command) =>
      generateKeyCommand(configFrom(command), options),
    );

  addAdminCommands(program);
  return program;
}

function addAdminCommands(program: Command): void {
  const admin = program.command('admin').description('administer accounts (while the server runs, or with it stopped)');

  admin
    .command('create-user <handle>')
    .description('create an account; without --password-file a password is generated and printed once')
    .option('--admin', 'make the account a server admin')
    .option('--password-file <file>', 'read the password from the first line of this file')
    .action((handle: string, options: { admin?: boolean; passwordFile?: string }, command: Command) =>
      createUserCommand(configFrom(command), handle, options),
    );

  admin
    .command('export-user <userId>')
    .description('write everything this server holds about a user to an archive (tar.gz, docs/export.md)')
    .requiredOption('--out <file>', 'where to write the archive, e.g. ana.tar.gz')
    .action((userId: string, options: { out: string }, command: Command) =>
      exportUserCommand(configFrom(command), userId, options),
    );

  const tokens = admin
    .command('registration-token')
    .description('invitations to register when registration is "token"');
  tokens
    .command('create')
    .description('create a registration token and print it')
    .option('--uses <n>', 'how many accounts may register with it (default: unlimited)')
    .option('--expires <iso-date>', 'when it stops working (default: never)')
    .option('--token <token>', 'the token itself (default: 16 random characters)')
    .action((options: { uses?: string; expires?: string; token?: string }, command: Command) =>
      createRegistrationTokenCommand(configFrom(command), options),
    );
  tokens
    .command('list')
    .description('list registration tokens with their use counts')
    .action((_options, command: Command) => listRegistrationTokensCommand(configFrom(command)));
  tokens
    .command('revoke <token>')
    .description('delete a registration token')
    .action((token: string, _options, command: Command) => revokeRegistrationTokenCommand(configFrom(command), token));

  addAvailabilityCommands(admin);
}

function addAvailabilityCommands(admin: Command): void {
  const availability = admin
    .command('availability')
    .description("the organisation's default work schedule and what users may change of it");
  availability
    .command('set-default')
    .description('set the default schedule (replacing the previous one)')
    .requiredOption('--tz <zone>', 'IANA time zone, e.g. Europe/Berlin')
    .requiredOption('--days <days>', 'working days, e.g. mon-fri or mon,wed,fri')
    .requiredOption('--hours <start-end>', 'working hours, local time, e.g. 09:00-17:30')
    .option('--holiday <date>', 'a holiday, 2026-12-24 or 2026-12-24..2026-12-26 (repeatable)', collect, [])
    .option(
      '--users-may <list>',
      'what users may change: none, or override,time-zone,extend-hours,add-holidays,disable (default: time-zone)',
    )
    .action((options: SetDefaultOptions, command: Command) =>
      setAvailabilityDefaultCommand(configFrom(command), options),
    );
  availability
    .command('show-default')
    .description('print the default schedule and limits')
    .action((_options, command: Command) => showAvailabilityDefaultCommand(configFrom(command)));
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function configFrom(command: Command): HearthConfig {
  return loadConfig({ configPath: command.optsWithGlobals<GlobalOptions>().config });
}

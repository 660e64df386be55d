import { Command } from 'commander';
import { loadConfig, type HearthConfig } from '@hearth/config';
import { generateKeyCommand } from './commands/generate-key.command';
import { migrateCommand } from './commands/migrate.command';
import { startCommand } from './commands/start.command';

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
    .command('migrate')
    .description('apply pending database migrations and exit')
    .action(async (_options, command: Command) => migrateCommand(configFrom(command)));

  program
    .command('generate-key')
    .description("create the server's ed25519 signing key (Synapse's key file format)")
    .option('-o, --output <file>', 'write here instead of the configured signing key path')
    .option('-f, --force', 'replace an existing key')
    .action((options: { output?: string; force?: boolean }, command: Command) => generateKeyCommand(configFrom(command), options));

  return program;
}

function configFrom(command: Command): HearthConfig {
  return loadConfig({ configPath: command.optsWithGlobals<GlobalOptions>().config });
}

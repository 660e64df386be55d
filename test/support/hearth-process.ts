import { type ChildProcessWithoutNullStreams, execFile, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { build } = require('../../scripts/build.js') as { build: (outDir: string) => number };

const root = path.resolve(__dirname, '..', '..');
/** A first start or admin command on a new embedded database runs initdb and every migration: close to a minute on a loaded 2-core machine. */
const START_TIMEOUT_MS = 90_000;

export interface HearthProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly url: string;
  readonly exited: Promise<number | null>;
  /** Everything the process wrote to stdout and stderr so far (its logs). */
  output(): string;
  stop(): Promise<void>;
}

/**
 * A build of the CLI of its own for a test file, so tests of real processes never share dist/. It is
 * laid out as the checkout is (`dist/` beside `scripts/start.sh`), so `npm start`'s script runs it too.
 */
export class HearthBuild {
  private readonly outDir = path.join(root, `.test-dist-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);

  constructor() {
    build(path.join(this.outDir, 'dist'));
    fs.mkdirSync(path.join(this.outDir, 'scripts'));
    fs.copyFileSync(path.join(root, 'scripts', 'start.sh'), path.join(this.outDir, 'scripts', 'start.sh'));
  }

  get main(): string {
    return path.join(this.outDir, 'dist', 'apps', 'cli', 'src', 'main.js');
  }

  run(args: string[], env: Record<string, string> = {}) {
    return spawnSync(process.execPath, [this.main, ...args], {
      cwd: root,
      env: cleanEnv(env),
      encoding: 'utf8',
      timeout: START_TIMEOUT_MS,
    });
  }

  /** `run` without blocking this process, for commands that talk to a `hearth start` child whose output we read. */
  runAsync(
    args: string[],
    env: Record<string, string> = {},
  ): Promise<{ status: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        [this.main, ...args],
        { cwd: root, env: cleanEnv(env), encoding: 'utf8', timeout: START_TIMEOUT_MS },
        (error, stdout, stderr) => {
          resolve({ status: error ? Number(error.code ?? 1) : 0, stdout, stderr });
        },
      );
    });
  }

  /** Starts `hearth start` (after any global options such as `--config`) and resolves with the URL it logs once listening. */
  start(env: Record<string, string>, globalOptions: string[] = []): Promise<HearthProcess> {
    return this.listen(
      spawn(process.execPath, [this.main, ...globalOptions, 'start'], { cwd: root, env: cleanEnv(env) }),
    );
  }

  /** Starts the server the way `npm start` does (scripts/start.sh, which execs node, so the child is the server). */
  startAsNpmStartDoes(env: Record<string, string>): Promise<HearthProcess> {
    return this.listen(spawn('sh', [path.join(this.outDir, 'scripts', 'start.sh')], { cwd: root, env: cleanEnv(env) }));
  }

  private listen(child: ChildProcessWithoutNullStreams): Promise<HearthProcess> {
    // 'close', not 'exit': a child's stdout may still hold its last lines (a shutdown's logs) when it exits.
    const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    const stop = async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    };
    return new Promise((resolve, reject) => {
      let output = '';
      const timer = setTimeout(
        () => reject(new Error(`no listening line within ${START_TIMEOUT_MS / 1000} s:\n${output}`)),
        START_TIMEOUT_MS,
      );
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      let listening = false;
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (listening) return;
        const match = /"url":"(http:\/\/[^"]+)".*"msg":"hearth is listening"/.exec(output);
        if (match) {
          listening = true;
          clearTimeout(timer);
          resolve({ child, url: match[1]!, exited, stop, output: () => output });
        }
      });
      void exited.then((code) => {
        // One that exits without listening (refused its data folder) must not leave the timer keeping jest alive.
        clearTimeout(timer);
        reject(new Error(`exited with ${code} before listening:\n${output}`));
      });
    });
  }

  remove(): void {
    fs.rmSync(this.outDir, { recursive: true, force: true });
  }
}

/** The child sees only what we pass: no DATABASE_URL or HEARTH_* leaking in from the shell. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([key]) => !key.startsWith('HEARTH_') && key !== 'DATABASE_URL' && key !== 'REDIS_URL',
    ),
  );
  return { ...env, ...extra };
}

import * as fs from 'node:fs';

/** Who holds an embedded database, as its lock file says. */
export interface LockOwner {
  readonly pid: number;
  /** What the owner is doing, for the message another process prints (`hearth start`, `hearth migrate`). */
  readonly purpose: string;
  readonly since: string;
  /** The kernel's start time of that process (Linux), so that a recycled pid is not taken for the owner. */
  readonly startTime?: string;
}

export class EmbeddedDatabaseInUseError extends Error {
  constructor(
    readonly directory: string,
    readonly owner: LockOwner,
  ) {
    super(
      `the embedded database in ${directory} is in use by another process (pid ${owner.pid}, ${owner.purpose} since ${owner.since}); ` +
        'stop it first, or set DATABASE_URL to PostgreSQL to run several processes',
    );
  }
}

export interface DataDirectoryLock {
  release(): void;
}

/**
 * One process at a time may open an embedded database: PGlite assumes it owns its files, and
 * a second writer loses acknowledged data. The lock is a file naming its owner; a lock whose
 * owner has died (crash, kill -9) is taken over at once, as PostgreSQL treats postmaster.pid.
 */
export function lockDataDirectory(directory: string, purpose: string): DataDirectoryLock {
  const lockPath = lockPathFor(directory);
  const mine: LockOwner = {
    pid: process.pid,
    purpose,
    since: new Date().toISOString(),
    startTime: processStartTime(process.pid),
  };
  for (let attempt = 0; attempt < 5; attempt++) {
    if (createExclusively(lockPath, JSON.stringify(mine))) return { release: () => releaseIfMine(lockPath) };
    const owner = readLockOwner(directory);
    if (owner) throw new EmbeddedDatabaseInUseError(directory, owner);
    fs.rmSync(lockPath, { force: true });
  }
  throw new Error(`could not lock ${lockPath}: another process keeps creating it`);
}

/** The live process holding `directory`'s lock, or undefined when none does (no lock, or its owner died). */
export function readLockOwner(directory: string): LockOwner | undefined {
  let owner: LockOwner;
  try {
    owner = JSON.parse(fs.readFileSync(lockPathFor(directory), 'utf8')) as LockOwner;
  } catch {
    return undefined;
  }
  return isAlive(owner) ? owner : undefined;
}

export function lockPathFor(directory: string): string {
  return `${directory}.lock`;
}

/** Written under another name and linked into place, so that a reader never sees half a file. */
function createExclusively(lockPath: string, content: string): boolean {
  const draft = `${lockPath}.${process.pid}`;
  fs.writeFileSync(draft, content, { mode: 0o600 });
  try {
    fs.linkSync(draft, lockPath);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    fs.rmSync(draft, { force: true });
  }
}

function releaseIfMine(lockPath: string): void {
  try {
    const owner = JSON.parse(fs.readFileSync(lockPath, 'utf8')) as LockOwner;
    if (owner.pid === process.pid) fs.rmSync(lockPath, { force: true });
  } catch {
    // Already gone: nothing to release.
  }
}

function isAlive(owner: LockOwner): boolean {
  if (!Number.isInteger(owner.pid) || owner.pid <= 0 || owner.pid === process.pid) return false;
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const startTime = processStartTime(owner.pid);
  return owner.startTime === undefined || startTime === undefined || startTime === owner.startTime;
}

/** Field 22 of /proc/<pid>/stat; undefined where there is no /proc. */
function processStartTime(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses; count fields after its last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

import * as fs from 'node:fs';

/** Clock ticks per second in /proc (USER_HZ; 100 on Linux everywhere in practice). */
const TICKS_PER_SECOND = 100;

export interface CpuSample {
  /** Busy CPU time of the whole machine (user, nice, system, irq, softirq), in ms. */
  readonly machineMs: number;
  /** Time the hypervisor gave to others while this machine wanted the CPU, in ms. */
  readonly stealMs: number;
  /** User and system time of the process `pid`, in ms. */
  readonly processMs: number;
  /** User and system time of each PostgreSQL backend serving `database`, in ticks, by process ID (empty when not asked). */
  readonly backends: ReadonlyMap<string, number>;
}

/**
 * Linux /proc counters; undefined elsewhere, where benches print no CPU figures. With `database`,
 * also the CPU of the PostgreSQL backends connected to it: unlike the machine's figure, that holds
 * while other work shares the machine (a backend that exits between two samples takes its time along).
 */
export function sampleCpu(pid: number, database?: string): CpuSample | undefined {
  try {
    const fields = (fs.readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '')
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
    const toMs = (ticks: number) => (ticks * 1000) / TICKS_PER_SECOND;
    return {
      machineMs: toMs(user + nice + system + irq + softirq),
      stealMs: toMs(steal),
      processMs: toMs(processTicks(pid)),
      backends: database ? backendTicks(database) : new Map(),
    };
  } catch {
    return undefined;
  }
}

function processTicks(pid: number | string): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/** Backends name their database in their process title: `postgres: [<cluster>: ]<user> <database> <client> <state>`. */
function backendTicks(database: string): Map<string, number> {
  const ticks = new Map<string, number>();
  for (const pid of fs.readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    try {
      const title = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (title.startsWith('postgres: ') && title.split(/[\s\0]+/).includes(database))
        ticks.set(pid, processTicks(pid));
    } catch {
      // the process ended while we looked
    }
  }
  return ticks;
}

/** CPU spent per unit of work (`unit`) between two samples: the whole machine, the process, its database backends, and this bench when given. */
export function cpuPerItem(
  before: CpuSample | undefined,
  after: CpuSample | undefined,
  benchMicros: number | undefined,
  items: number,
  unit = 'event',
): string {
  if (!before || !after) return '';
  const per = (ms: number) => (ms / items).toFixed(2);
  // Backends that ended between the samples took their time along: this is a lower bound.
  let databaseTicks = 0;
  for (const [pid, ticks] of after.backends) databaseTicks += ticks - (before.backends.get(pid) ?? 0);
  const databaseMs = (databaseTicks * 1000) / TICKS_PER_SECOND;
  return `; CPU ms per ${unit}: machine ${per(after.machineMs - before.machineMs)}, homeserver ${per(after.processMs - before.processMs)}${after.backends.size > 0 ? `, database ${per(databaseMs)}` : ''}${benchMicros === undefined ? '' : `, bench client ${per(benchMicros / 1000)}`}, steal ${per(after.stealMs - before.stealMs)}`;
}

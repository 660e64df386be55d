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
}

/** Linux /proc counters; undefined elsewhere, where benches print no CPU figures. */
export function sampleCpu(pid: number): CpuSample | undefined {
  try {
    const fields = (fs.readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '')
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const processFields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const processTicks = Number(processFields[11]) + Number(processFields[12]);
    const toMs = (ticks: number) => (ticks * 1000) / TICKS_PER_SECOND;
    return {
      machineMs: toMs(user + nice + system + irq + softirq),
      stealMs: toMs(steal),
      processMs: toMs(processTicks),
    };
  } catch {
    return undefined;
  }
}

/** CPU spent per unit of work between two samples: the whole machine, the process, this bench. */
export function cpuPerItem(
  before: CpuSample | undefined,
  after: CpuSample | undefined,
  benchMicros: number,
  items: number,
): string {
  if (!before || !after) return '';
  const per = (ms: number) => (ms / items).toFixed(2);
  return `; CPU ms per event: machine ${per(after.machineMs - before.machineMs)}, homeserver ${per(after.processMs - before.processMs)}, bench client ${per(benchMicros / 1000)}, steal ${per(after.stealMs - before.stealMs)}`;
}

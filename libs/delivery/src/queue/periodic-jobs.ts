/** A job run every `intervalMs`, by one process at a time where the queue is shared. */
export interface PeriodicJob {
  readonly name: string;
  readonly intervalMs: number;
  run(): Promise<void>;
}

/**
 * The queue's second use besides delivery: housekeeping that must happen now and then, somewhere
 * (the retention purge). With Redis, BullMQ's job scheduler adds one job per interval whatever
 * the number of processes, and one worker takes it; without, each process keeps a timer. The jobs
 * themselves must be safe to run twice at once all the same (a process without Redis beside one
 * with it, a slow run overtaken by the next).
 */
export interface PeriodicJobs {
  /** Starts running `job` in this process: call only where the queue is consumed. */
  every(job: PeriodicJob): Promise<void>;
  close(): Promise<void>;
}

export const PERIODIC_JOBS = Symbol('PERIODIC_JOBS');

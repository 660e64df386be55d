import { type DynamicModule, Global, Module } from '@nestjs/common';

/** Where the availability code reads "now": the system clock, or one a test moves across weekends and zones. */
export interface Clock {
  now(): number;
}

export const CLOCK = Symbol('CLOCK');

export const SYSTEM_CLOCK: Clock = { now: () => Date.now() };

/**
 * Binds {@link CLOCK}: the system clock unless the process that starts the server passes another
 * (tests do, in-process; nothing reachable over HTTP can change it).
 */
@Global()
@Module({})
export class ClockModule {
  static forRoot(clock: Clock = SYSTEM_CLOCK): DynamicModule {
    return { module: ClockModule, providers: [{ provide: CLOCK, useValue: clock }], exports: [CLOCK] };
  }
}

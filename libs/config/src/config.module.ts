import { type DynamicModule, Global, Module } from '@nestjs/common';
import type { HearthConfig } from './hearth-config';

/** Injection token for the frozen {@link HearthConfig}. */
export const HEARTH_CONFIG = Symbol('HEARTH_CONFIG');

@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: HearthConfig): DynamicModule {
    return {
      module: ConfigModule,
      providers: [{ provide: HEARTH_CONFIG, useValue: config }],
      exports: [HEARTH_CONFIG],
    };
  }
}

export { RetentionModule } from './retention.module';
export { PurgeRunner, type PurgeReport } from './purge-runner';
export { ALL_PURGES } from './purges/all-purges';
export type { Purge } from './purges/purge';

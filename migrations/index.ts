import { ServerIdentity1763820000000 } from './1763820000000-ServerIdentity';

/** Every migration in order. Landed migrations are never edited; add a new one instead. */
export const ALL_MIGRATIONS = [ServerIdentity1763820000000];

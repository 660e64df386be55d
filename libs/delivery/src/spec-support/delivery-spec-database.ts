import { TransactionRunner } from '@hearth/storage';
import { openMigratedDatabase, type MigratedDatabase } from '@hearth/testing';

export interface DeliverySpecDatabase {
  readonly db: MigratedDatabase;
  readonly tx: TransactionRunner;
  /** A destination of the running test's own, so that tests never see each other's rows. */
  readonly peer: string;
}

/**
 * The set-up every delivery repository spec shares: one fresh migrated PostgreSQL database for
 * the file, and a new destination name for each test. Call it in a `describe`; read the fields
 * inside tests (they are set by the hooks it registers).
 */
export function useDeliverySpecDatabase(peerSuffix = ''): DeliverySpecDatabase {
  let db: MigratedDatabase | undefined;
  let tx: TransactionRunner | undefined;
  let counter = 0;
  let peer = '';

  beforeAll(async () => {
    db = await openMigratedDatabase();
    tx = new TransactionRunner(db.dataSource);
  });

  afterAll(async () => {
    await db?.close();
  });

  beforeEach(() => {
    peer = `peer${++counter}.example${peerSuffix}`;
  });

  return {
    get db() {
      if (!db) throw new Error('the database is opened in beforeAll');
      return db;
    },
    get tx() {
      if (!tx) throw new Error('the database is opened in beforeAll');
      return tx;
    },
    get peer() {
      return peer;
    },
  };
}

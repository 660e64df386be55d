import { openMigratedDatabase, type MigratedDatabase } from '@hearth/testing';
import { INVENTORY_HEADINGS, readInventory, type InventoryRow } from './privacy-inventory';

/**
 * Issue 21, item 1: every column of the live schema, after every migration, is accounted for in
 * docs/privacy.md, so no change adds metadata without saying why and for how long.
 */
describe('the privacy inventory (docs/privacy.md)', () => {
  let database: MigratedDatabase;
  let liveColumns: Array<{ table: string; column: string }>;
  const inventory = readInventory();

  beforeAll(async () => {
    database = await openMigratedDatabase();
    liveColumns = await database.dataSource.query(
      `SELECT table_name AS "table", column_name AS "column" FROM information_schema.columns
        WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`,
    );
  });

  afterAll(() => database.close());

  it('names every column of every table', () => {
    const named = new Set(inventory.flatMap((row) => row.columns.map((column) => `${row.table}.${column}`)));
    const missing = liveColumns
      .filter(({ table, column }) => !named.has(`${table}.${column}`))
      .map(
        ({ table, column }) =>
          `${table}.${column} is not in docs/privacy.md: add a row for it (what it reveals, why, how long it is kept, who reads it)`,
      );
    expect(missing).toEqual([]);
  });

  it('names no column that the schema does not have', () => {
    const live = new Set(liveColumns.map(({ table, column }) => `${table}.${column}`));
    const stale = inventory.flatMap((row) =>
      row.columns
        .filter((column) => !live.has(`${row.table}.${column}`))
        .map(
          (column) =>
            `docs/privacy.md line ${row.line}: ${row.table}.${column} is not in the schema; remove or fix the row`,
        ),
    );
    expect(stale).toEqual([]);
  });

  it('names each column once', () => {
    const seen = new Map<string, number>();
    const twice: string[] = [];
    for (const row of inventory)
      for (const column of row.columns) {
        const key = `${row.table}.${column}`;
        const first = seen.get(key);
        if (first !== undefined) twice.push(`${key} is on lines ${first} and ${row.line} of docs/privacy.md`);
        else seen.set(key, row.line);
      }
    expect(twice).toEqual([]);
  });

  it('answers every question in every row', () => {
    const blank = (row: InventoryRow) => INVENTORY_HEADINGS.filter((heading) => !row.cells[heading]);
    const incomplete = inventory
      .filter((row) => blank(row).length > 0)
      .map((row) => `docs/privacy.md line ${row.line} (${row.table}) leaves ${blank(row).join(', ')} empty`);
    expect(inventory.length).toBeGreaterThan(0);
    expect(incomplete).toEqual([]);
  });
});

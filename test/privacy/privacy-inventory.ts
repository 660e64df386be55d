import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One row of an inventory table in docs/privacy.md: a table and the columns it accounts for. */
export interface InventoryRow {
  readonly line: number;
  readonly table: string;
  readonly columns: readonly string[];
  readonly cells: Readonly<Record<string, string>>;
}

export const PRIVACY_DOC = join(__dirname, '..', '..', 'docs', 'privacy.md');
export const INVENTORY_HEADINGS = ['table', 'columns', 'reveals', 'why', 'kept for', 'who reads'] as const;

/** Every row of every markdown table whose header is INVENTORY_HEADINGS. */
export function readInventory(markdown = readFileSync(PRIVACY_DOC, 'utf8')): InventoryRow[] {
  const rows: InventoryRow[] = [];
  let inInventory = false;
  markdown.split('\n').forEach((text, index) => {
    const cells = tableCells(text);
    if (!cells) {
      inInventory = false;
      return;
    }
    if (isInventoryHeader(cells)) inInventory = true;
    else if (inInventory && !cells.every((cell) => /^:?-+:?$/.test(cell))) rows.push(toRow(cells, index + 1));
  });
  return rows;
}

function tableCells(line: string): string[] | undefined {
  const trimmed = line.trim();
  if (!trimmed.startsWith('|') || !trimmed.endsWith('|')) return undefined;
  return trimmed
    .slice(1, -1)
    .split('|')
    .map((cell) => cell.trim());
}

function isInventoryHeader(cells: string[]): boolean {
  return cells.length === INVENTORY_HEADINGS.length && cells.every((cell, i) => cell === INVENTORY_HEADINGS[i]);
}

function toRow(cells: string[], line: number): InventoryRow {
  const named = Object.fromEntries(INVENTORY_HEADINGS.map((heading, i) => [heading, cells[i] ?? '']));
  return {
    line,
    table: named.table ?? '',
    columns: (named.columns ?? '')
      .split(',')
      .map((column) => column.trim())
      .filter((column) => column.length > 0),
    cells: named,
  };
}

/** A PostgreSQL array element type a column is sent as. */
export type ColumnType = 'text' | 'bigint' | 'int' | 'jsonb' | 'boolean';

/** A table's columns as a statement sends them: each row field by name, with its type. */
export type Columns<Row> = { readonly [K in keyof Row & string]-?: ColumnType };

/**
 * The parameters of one statement, allocated while its text is written: each `$n` is bound to
 * a function that takes it from the statement's input. Rows go in as objects and reach
 * PostgreSQL as one array per named column (`unnest`), so a statement serves any number of rows
 * and a column can never be sent in another column's place.
 */
export class StatementParameters<Input> {
  private readonly extractors: Array<(input: Input) => unknown> = [];

  /** A single value. */
  value(type: ColumnType | `${ColumnType}[]`, get: (input: Input) => unknown): string {
    this.extractors.push(get);
    return `$${this.extractors.length}::${type}`;
  }

  /** `unnest(...) AS alias (column, ...)` over the rows `get` picks, one array per column. */
  rows<Row extends object>(alias: string, columns: Columns<Row>, get: (input: Input) => readonly Row[]): string {
    const names = Object.keys(columns) as Array<keyof Row & string>;
    const arrays = names.map((name) =>
      this.value(`${columns[name]}[]`, (input) => get(input).map((row) => row[name] ?? null)),
    );
    return `unnest(${arrays.join(', ')}) AS ${alias} (${names.join(', ')})`;
  }

  /** The column list of an INSERT for these columns. */
  static columnList<Row extends object>(columns: Columns<Row>, prefix = ''): string {
    return Object.keys(columns)
      .map((name) => `${prefix}${name}`)
      .join(', ');
  }

  /** The parameter values for one input, in `$n` order. */
  valuesOf(input: Input): unknown[] {
    return this.extractors.map((get) => get(input));
  }
}

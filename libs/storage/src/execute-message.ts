import * as pg from 'pg';

/** node-postgres's own conversion of a value to the text it binds for a parameter (untyped in @types/pg). */
const { prepareValue } = (pg as unknown as { utils: { prepareValue: (value: unknown) => unknown } }).utils;

interface RecordingClient {
  readonly connection?: { readonly parsedStatements?: Readonly<Record<string, string>> };
}

/**
 * Whether node-postgres has parsed the statement `name` with `text` on this client's connection,
 * by its own record of what it sent. Without that record (another driver version), nothing is
 * known to be parsed and callers send statements one at a time, as before.
 */
export function isParsedOn(client: unknown, name: string, text: string): boolean {
  return (client as RecordingClient).connection?.parsedStatements?.[name] === text;
}

/**
 * SQL that runs the prepared statement `name` with `values`, each given as the text the extended
 * protocol would bind, as a literal that PostgreSQL converts to the parameter's type as Bind does;
 * undefined if a value is binary (a Buffer), which has no such text.
 */
export function executeStatement(name: string, values: readonly unknown[]): string | undefined {
  const literals: string[] = [];
  for (const value of values) {
    const text = prepareValue(value);
    if (text === null) literals.push('NULL');
    else if (typeof text === 'string') literals.push(pg.escapeLiteral(text));
    else return undefined;
  }
  return literals.length === 0 ? `EXECUTE ${name}` : `EXECUTE ${name} (${literals.join(', ')})`;
}

/** The rows of each statement of a simple-query message, in order (node-postgres answers one alone unwrapped). */
export function rowsOfEach(answer: unknown): unknown[][] {
  const results = (Array.isArray(answer) ? answer : [answer]) as Array<{ rows: unknown[] }>;
  return results.map((result) => result.rows);
}

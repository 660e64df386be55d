import type { DataSource } from 'typeorm';

export class ServerIdentityMismatchError extends Error {
  constructor(
    readonly expected: string,
    readonly found: string,
  ) {
    super(
      `this database belongs to server "${found}", not "${expected}"; a server name cannot change once users exist`,
    );
  }
}

/**
 * Records which server a database belongs to on first start and refuses any other name later:
 * every stored user ID, room alias and signature embeds the server name, so silently changing
 * it would corrupt the data rather than rename anything.
 */
export async function claimDatabaseForServer(dataSource: DataSource, serverName: string): Promise<void> {
  await dataSource.query(
    `INSERT INTO server_identity (singleton, server_name, created_ts) VALUES (TRUE, $1, $2)
     ON CONFLICT (singleton) DO NOTHING`,
    [serverName, Date.now()],
  );
  const rows: Array<{ server_name: string }> = await dataSource.query(
    'SELECT server_name FROM server_identity WHERE singleton',
  );
  const found = rows[0]?.server_name;
  if (found !== serverName) throw new ServerIdentityMismatchError(serverName, String(found));
}

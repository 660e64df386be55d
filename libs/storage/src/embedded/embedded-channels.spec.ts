import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../data-source-options';
import type { ChannelSubscriber } from '../channel-subscriber';
import { EmbeddedChannels, type ConnectionLender } from './embedded-channels';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres';

/** PGlite compiles its WebAssembly on each start: seconds on a quiet machine, far more on a loaded one. */
jest.setTimeout(120_000);

const CHANNEL = 'hearth_spec_channel';

interface Heard extends ChannelSubscriber {
  readonly messages: string[];
  readonly lives: boolean[];
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
}

function subscriber(): Heard {
  const messages: string[] = [];
  const lives: boolean[] = [];
  return { messages, lives, message: (payload) => messages.push(payload), live: (isLive) => lives.push(isLive) };
}

/**
 * LISTEN/NOTIFY on the embedded database, through the request pool's one connection: the
 * access-token cache's triggers notify there, and a notification must be heard whatever the
 * order of subscribing and connecting, and again after the connection is replaced.
 */
describe('EmbeddedChannels', () => {
  let database: EmbeddedPostgres;
  let channels: EmbeddedChannels;
  let dataSource: DataSource;

  beforeEach(async () => {
    database = await startEmbeddedPostgres({ directory: undefined, purpose: 'a test' });
    channels = new EmbeddedChannels();
    dataSource = new DataSource(dataSourceOptions({ url: database.url, embedded: true, channels }, []));
  });
  afterEach(async () => {
    if (dataSource.isInitialized) await dataSource.destroy();
    await database.close();
  });

  const pool = () => (dataSource.driver as unknown as { master: ConnectionLender & { totalCount: number } }).master;
  const notifyCommitted = (payload: string) =>
    dataSource.transaction((em) => em.query('SELECT pg_notify($1, $2)', [CHANNEL, payload]));

  it('delivers what a committed transaction notified, by the time its commit returns, to a subscriber from before the connection', async () => {
    const early = subscriber();
    channels.subscribe(CHANNEL, early, pool());
    expect(early.lives).toEqual([]);
    await dataSource.initialize();
    await dataSource.query('SELECT 1');
    expect(early.lives).toEqual([true]);

    await notifyCommitted('revoked');
    expect(early.messages).toEqual(['revoked']);
    await dataSource
      .transaction(async (em) => {
        await em.query('SELECT pg_notify($1, $2)', [CHANNEL, 'rolled back']);
        throw new Error('roll back');
      })
      .catch(() => undefined);
    await dataSource.query('SELECT 1');
    expect(early.messages).toEqual(['revoked']);
  });

  it('listens for a subscriber that comes after the connection opened, and stops telling one that left', async () => {
    await dataSource.initialize();
    await dataSource.query('SELECT 1');
    const late = subscriber();
    const listener = channels.subscribe(CHANNEL, late, pool());
    await until(() => late.lives.length > 0);
    expect(late.lives).toEqual([true]);
    await notifyCommitted('one');
    await listener.close();
    await notifyCommitted('two');
    expect(late.messages).toEqual(['one']);
  });

  it('reports a lost connection, and listens again on the one that replaces it', async () => {
    const heard = subscriber();
    channels.subscribe(CHANNEL, heard, pool());
    await dataSource.initialize();
    await dataSource.query('SELECT 1');
    const connection = await (
      pool() as unknown as { connect(): Promise<{ release(destroy: boolean): void }> }
    ).connect();
    connection.release(true);
    await until(() => heard.lives.length > 1);
    expect(heard.lives).toEqual([true, false]);

    // The new connection starts with DISCARD ALL, which UNLISTENs: hearing this means it listened again.
    await notifyCommitted('after');
    expect(heard.lives).toEqual([true, false, true]);
    expect(heard.messages).toEqual(['after']);
  });
});

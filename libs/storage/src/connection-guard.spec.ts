import { guardNestedConnections, NestedConnectionError, whileHoldingConnection } from './connection-guard';

function fakePool() {
  const pool = { connects: 0, connect: (): unknown => ++pool.connects };
  return pool;
}

describe('guardNestedConnections', () => {
  it('lets work that holds no connection take one', () => {
    const pool = fakePool();
    guardNestedConnections(pool, { strict: true });
    expect(pool.connect()).toBe(1);
  });

  it('refuses, when strict, a connection asked for by work that holds one', async () => {
    const pool = fakePool();
    guardNestedConnections(pool, { strict: true });
    await expect(whileHoldingConnection(() => Promise.resolve(pool.connect()))).rejects.toBeInstanceOf(
      NestedConnectionError,
    );
    expect(pool.connects).toBe(0);
  });

  it('only reports it otherwise, and the connection is still given', async () => {
    const pool = fakePool();
    guardNestedConnections(pool, { strict: false });
    await expect(whileHoldingConnection(() => Promise.resolve(pool.connect()))).resolves.toBe(1);
  });

  it('lets work started inside, and still running after the holder settled, take a connection', async () => {
    const pool = fakePool();
    guardNestedConnections(pool, { strict: true });
    let later: Promise<unknown> = Promise.resolve();
    await whileHoldingConnection(() => {
      later = new Promise((resolve) => setTimeout(resolve, 5)).then(() => pool.connect());
      return Promise.resolve();
    });
    await expect(later).resolves.toBe(1);
  });
});

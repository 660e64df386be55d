import { newTransactionId } from './transaction-id';

describe('newTransactionId', () => {
  it('is 22 URL-safe characters, sent in the path as it is', () => {
    const id = newTransactionId();
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(encodeURIComponent(id)).toBe(id);
  });

  it('never repeats, so a peer that remembers IDs never drops a new transaction as a replay', () => {
    const ids = new Set(Array.from({ length: 10_000 }, () => newTransactionId()));
    expect(ids.size).toBe(10_000);
  });
});

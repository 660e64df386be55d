import { InFlightReads } from './in-flight-reads';

describe('InFlightReads', () => {
  it('answers callers asking the same thing at once with one read', async () => {
    const reads = new InFlightReads<number>();
    let loads = 0;
    let release!: (value: number) => void;
    const load = () => {
      loads++;
      return new Promise<number>((resolve) => (release = resolve));
    };
    const answers = Promise.all(Array.from({ length: 100 }, () => reads.read('room:a 5..6', load)));
    release(42);
    expect(await answers).toEqual(Array.from({ length: 100 }, () => 42));
    expect(loads).toBe(1);
  });

  it('reads again once the shared read is done, and keeps different keys apart', async () => {
    const reads = new InFlightReads<string>();
    const keys: string[] = [];
    const load = (key: string) => () => {
      keys.push(key);
      return Promise.resolve(key);
    };
    await reads.read('a', load('a'));
    await Promise.all([reads.read('a', load('a')), reads.read('b', load('b'))]);
    expect(keys).toEqual(['a', 'a', 'b']);
  });

  it('hands a failed read to every caller waiting on it, and lets the next one try again', async () => {
    const reads = new InFlightReads<number>();
    const failing = () => Promise.reject(new Error('connection lost'));
    const both = [reads.read('k', failing), reads.read('k', () => Promise.resolve(1))];
    for (const answer of both) await expect(answer).rejects.toThrow('connection lost');
    await expect(reads.read('k', () => Promise.resolve(2))).resolves.toBe(2);
  });
});

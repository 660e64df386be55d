import { LocalSyncNotifier } from './local-sync-notifier';
import { roomKey, userKey } from './sync-notifier';

/** The in-process notifier: what a waiting /sync is woken by, and what it is not. */
describe('LocalSyncNotifier', () => {
  let notifier: LocalSyncNotifier;
  const alice = userKey('@alice:hearth.test');
  const lobby = roomKey('!lobby:hearth.test');

  beforeEach(() => {
    notifier = new LocalSyncNotifier();
  });

  afterEach(() => {
    notifier.onModuleDestroy();
  });

  it('wakes a request waiting on a key when that key is notified', async () => {
    const waiting = notifier.wait([alice, lobby], notifier.mark(), 10_000);
    notifier.notify([lobby]);
    await expect(waiting).resolves.toBe(true);
  });

  it('answers at once for a key notified between the mark and the wait: nothing read meanwhile is missed', async () => {
    const mark = notifier.mark();
    notifier.notify([alice]);
    await expect(notifier.wait([alice], mark, 10_000)).resolves.toBe(true);
  });

  it('lets a notification from before the mark not count: the request read it already', async () => {
    notifier.notify([alice]);
    const mark = notifier.mark();
    await expect(notifier.wait([alice], mark, 20)).resolves.toBe(false);
  });

  it('answers at once for any mark from before news may have been lost (a relay that came back)', async () => {
    class Relay extends LocalSyncNotifier {
      cameBack(): void {
        this.wakeEveryWaiter();
      }
    }
    const relay = new Relay();
    const mark = relay.mark();
    relay.cameBack();
    // Nobody was waiting when the relay came back, yet a request that read before it must read again.
    await expect(relay.wait([alice], mark, 10_000)).resolves.toBe(true);
    await expect(relay.wait([alice], relay.mark(), 20)).resolves.toBe(false);
    relay.onModuleDestroy();
  });

  it('is not woken by other keys, and answers false when the timeout ends', async () => {
    const waiting = notifier.wait([alice], notifier.mark(), 50);
    notifier.notify([userKey('@bob:hearth.test'), roomKey('!other:hearth.test')]);
    await expect(waiting).resolves.toBe(false);
  });

  it('answers false at once for a timeout of 0 or a signal already aborted', async () => {
    const aborted = AbortSignal.abort();
    await expect(notifier.wait([alice], notifier.mark(), 0)).resolves.toBe(false);
    await expect(notifier.wait([alice], notifier.mark(), 10_000, aborted)).resolves.toBe(false);
  });

  it('lets a request go with false when its client goes away (abort)', async () => {
    const controller = new AbortController();
    const waiting = notifier.wait([alice], notifier.mark(), 10_000, controller.signal);
    controller.abort();
    await expect(waiting).resolves.toBe(false);
  });

  it('wakes every request waiting on the key, each once, and none after it has answered', async () => {
    const mark = notifier.mark();
    const first = notifier.wait([alice], mark, 10_000);
    const second = notifier.wait([alice, lobby], mark, 10_000);
    notifier.notify([alice, lobby]);
    await expect(Promise.all([first, second])).resolves.toEqual([true, true]);
    // Woken requests are forgotten: a later wait from a new mark waits for a new notification.
    await expect(notifier.wait([alice, lobby], notifier.mark(), 20)).resolves.toBe(false);
  });

  it('counts one mark per notification', () => {
    const mark = notifier.mark();
    notifier.notify([alice]);
    notifier.notify([lobby, alice]);
    expect(notifier.mark()).toBe(mark + 2);
  });

  it('lets every waiting request go with false at shutdown, and waits no more after it', async () => {
    const waiting = notifier.wait([alice], notifier.mark(), 10_000);
    expect(notifier.closed).toBe(false);
    notifier.onModuleDestroy();
    expect(notifier.closed).toBe(true);
    await expect(waiting).resolves.toBe(false);
    await expect(notifier.wait([alice], notifier.mark(), 10_000)).resolves.toBe(false);
  });

  describe('keys notified long ago', () => {
    beforeEach(() => {
      notifier.onModuleDestroy();
      jest.useFakeTimers();
      notifier = new LocalSyncNotifier();
    });

    afterEach(() => {
      jest.useRealTimers();
    });

    it('forgets them after a minute or two, since no request still deciding can hold so old a mark', async () => {
      const mark = notifier.mark();
      notifier.notify([alice]);
      await expect(notifier.wait([alice], mark, 1_000)).resolves.toBe(true);
      jest.advanceTimersByTime(2 * 60_000 + 1);
      const waiting = notifier.wait([alice], mark, 1_000);
      jest.advanceTimersByTime(1_000);
      await expect(waiting).resolves.toBe(false);
    });
  });
});

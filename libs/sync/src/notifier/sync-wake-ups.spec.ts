import type { EntityManager } from 'typeorm';
import type { RoomSyncReader } from '@hearth/rooms';
import { ChangeBus, type TransactionRunner } from '@hearth/storage';
import { SyncNotifier } from './sync-notifier';
import { SyncWakeUps } from './sync-wake-ups';

class RecordingNotifier extends SyncNotifier {
  readonly notified: string[][] = [];
  mark = () => 0;
  wait = () => Promise.resolve(false);
  notify(keys: readonly string[]): void {
    this.notified.push([...keys]);
  }
  get closed(): boolean {
    return false;
  }
}

function wakeUps() {
  const read = <T>(work: (em: EntityManager) => Promise<T>) => work({} as EntityManager);
  const tx = { read } as unknown as TransactionRunner;
  const rooms = {
    memberships: () =>
      Promise.resolve([
        { roomId: '!joined:x', membership: 'join' },
        { roomId: '!left:x', membership: 'leave' },
      ]),
  } as unknown as RoomSyncReader;
  const bus = new ChangeBus(tx);
  const notifier = new RecordingNotifier();
  const subscriber = new SyncWakeUps(bus, notifier, rooms, tx);
  subscriber.onModuleInit();
  return { bus, notifier, subscriber };
}

describe('SyncWakeUps', () => {
  it('wakes the rooms and users a change names, at once', () => {
    const { bus, notifier } = wakeUps();
    bus.publish({ stream: 'events', roomIds: ['!a:x'], userIds: ['@bea:x'] });
    const typing = { roomId: '!a:x', userId: '@ana:x', typing: true };
    bus.publish({ stream: 'typing', position: 3, roomIds: ['!a:x'], userIds: [], typing, source: 'relay' });
    bus.publish({ stream: 'accountData', roomIds: [], userIds: ['@ana:x'] });
    expect(notifier.notified).toEqual([['room:!a:x', 'user:@bea:x'], ['room:!a:x'], ['user:@ana:x']]);
  });

  it("wakes a device-list change's user and the rooms they are joined to", async () => {
    const { bus, notifier } = wakeUps();
    const change = { position: 7, roomIds: [], userIds: ['@ana:x'], userId: '@ana:x', devices: [] };
    bus.publish({ stream: 'deviceLists', ...change });
    await new Promise((resolve) => setImmediate(resolve));
    expect(notifier.notified).toEqual([['user:@ana:x', 'room:!joined:x']]);
  });

  it('ignores streams no sync reads, and everything once the module is destroyed', () => {
    const { bus, notifier, subscriber } = wakeUps();
    bus.publish({ stream: 'devicesRemoved', roomIds: [], userIds: ['@ana:x'], userId: '@ana:x' });
    subscriber.onModuleDestroy();
    bus.publish({ stream: 'events', roomIds: ['!a:x'], userIds: [] });
    expect(notifier.notified).toEqual([]);
  });
});

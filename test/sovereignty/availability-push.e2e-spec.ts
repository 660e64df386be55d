import { eventually, type TestClient, type TestPushGateway } from '@hearth/testing';
import { startWorkServer, type WorkServer } from './work-server';

const V3 = '/_matrix/client/v3';

/**
 * A fixed-offset zone (Etc/GMT-N is UTC+N, POSIX's inverted sign) in which the wall clock now
 * reads an hour in `wanted`: changing the schedule's zone is how the test moves the user's clock.
 */
function zoneWhereHourIsIn(wanted: readonly number[]): string {
  const utcHour = new Date().getUTCHours();
  for (let offset = -12; offset <= 14; offset++) {
    if (wanted.includes((utcHour + offset + 24) % 24))
      return offset === 0 ? 'Etc/GMT' : offset > 0 ? `Etc/GMT-${offset}` : `Etc/GMT+${-offset}`;
  }
  throw new Error('no zone found');
}

describe('a work account rests after hours: no pushes off duty, unread counts kept', () => {
  let work: WorkServer;
  let gateway: TestPushGateway;
  let ana: TestClient;
  let bea: TestClient;
  let roomId: string;
  let txn = 0;
  /** The invite already notified Bea: counts are read against what was there before. */
  let before = 0;
  const send = async (body: string) =>
    (await ana.put(`${V3}/rooms/${roomId}/send/m.room.message/t${txn++}`, { msgtype: 'm.text', body })).body
      .event_id as string;
  const schedule = (timeZone: string) =>
    bea.put(`${V3}/user/@bea:work.example/account_data/org.hearth.availability`, {
      time_zone: timeZone,
      working_days: [1, 2, 3, 4, 5, 6, 7],
      hours: { start: '09:00', end: '17:00' },
    });
  const unread = async () => {
    const sync = await bea.get(`${V3}/sync?timeout=0`);
    return sync.body.rooms?.join?.[roomId]?.unread_notifications?.notification_count as number;
  };

  beforeAll(async () => {
    work = await startWorkServer();
    ({ gateway, ana, bea, roomId } = work);
  });
  afterAll(() => work.stop());

  it('refuses a schedule with impossible times, an unknown zone or overlapping holidays, and keeps the old one', async () => {
    const refused = await bea.put(`${V3}/user/@bea:work.example/account_data/org.hearth.availability`, {
      time_zone: 'Europe/Atlantis',
      working_days: [1, 2, 3],
      hours: { start: '24:00', end: '09:00' },
      holidays: [
        { start: '2026-12-20', end: '2026-12-27' },
        { start: '2026-12-24', end: '2026-12-31' },
      ],
    });
    expect(refused.status).toBe(400);
    expect(refused.body.errcode).toBe('M_INVALID_PARAM');
    expect(refused.body.error).toContain('unknown time zone "Europe/Atlantis"');
    expect(refused.body.error).toContain('"24:00"');
    expect(refused.body.error).toContain('holidays overlap');
    expect((await bea.get(`${V3}/user/@bea:work.example/account_data/org.hearth.availability`)).status).toBe(404);
  });

  it('pushes nothing while it is night in the schedule’s zone, yet counts the messages as unread', async () => {
    expect((await schedule(zoneWhereHourIsIn([20, 21, 22, 23, 0, 1, 2, 3, 4]))).status).toBe(200);
    before = (await unread()) ?? 0;
    await send('sent at night, 1');
    await send('sent at night, 2');
    await eventually(async () => ((await unread()) === before + 2 ? true : undefined), 'two unread notifications');
    // The feed has read past both (their rows were considered); nothing reached the gateway.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(gateway.received).toEqual([]);
  });

  it('pushes again once the user moves to a zone where it is working time, with the right badge', async () => {
    expect((await schedule(zoneWhereHourIsIn([11, 12, 13, 14]))).status).toBe(200);
    const eventId = await send('sent in working hours');
    const pushed = await eventually(
      () => Promise.resolve(gateway.received.find((n) => n.notification?.event_id === eventId)),
      'the push of the working-hours message',
    );
    expect(pushed.notification.counts).toEqual({ unread: before + 3 });
    expect(gateway.received).toHaveLength(1);
    expect(await unread()).toBe(before + 3);
  });
});

import { AdminUsersService } from '@hearth/accounts';
import { eventually, TestClient, type TestHomeserver, type TestPushGateway } from '@hearth/testing';
import { startWorkServer, type WorkServer } from './work-server';

const V3 = '/_matrix/client/v3';
const DEFAULT = '/_hearth/admin/v1/availability/default';
const SCHEDULE = `${V3}/user/@bea:work.example/account_data/org.hearth.availability`;
const PROFILE = `${V3}/profile/@bea:work.example`;

/** The time the server reads for schedules; the tests move it, the rest of the server keeps real time. */
const clock = { time: Date.parse('2026-12-07T09:00:00Z'), now: () => clock.time };
const setClock = (iso: string) => (clock.time = Date.parse(iso));

const berlinDefault = {
  schedule: {
    time_zone: 'Europe/Berlin',
    working_days: [1, 2, 3, 4, 5],
    hours: { start: '09:00', end: '17:30' },
    holidays: [{ start: '2026-12-24', end: '2026-12-26' }],
  },
  users_may: { extend_hours: true },
};

describe("the organisation's default schedule, its limits, and others seeing an account off duty", () => {
  let work: WorkServer;
  let hs: TestHomeserver;
  let gateway: TestPushGateway;
  let admin: TestClient;
  let ana: TestClient;
  let bea: TestClient;
  let roomId: string;
  let txn = 0;
  const offDuty = async () =>
    (await ana.get(PROFILE)).body['org.hearth.off_duty'] as Record<string, unknown> | undefined;
  const send = async (body: string) =>
    (await ana.put(`${V3}/rooms/${roomId}/send/m.room.message/t${txn++}`, { msgtype: 'm.text', body })).body
      .event_id as string;

  beforeAll(async () => {
    work = await startWorkServer({ clock });
    ({ hs, gateway, ana, bea, roomId } = work);
    await hs.server.app.get(AdminUsersService).upsert('@boss:work.example', { password: 'boss-pw', admin: true });
    admin = new TestClient(hs.url, (await new TestClient(hs.url).loginPassword('boss', 'boss-pw')).body.access_token);
  });
  afterAll(() => work.stop());

  it('lets only admins set the default, and refuses a bad one with every problem named', async () => {
    expect((await bea.put(DEFAULT, berlinDefault)).body.errcode).toBe('M_FORBIDDEN');
    expect((await bea.get(DEFAULT)).status).toBe(403);
    expect((await admin.get(DEFAULT)).body.errcode).toBe('M_NOT_FOUND');
    const bad = await admin.put(DEFAULT, {
      schedule: { time_zone: 'Europe/Atlantis', working_days: [1], hours: { start: '18:00', end: '09:00' } },
      users_may: { everything: true },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errcode).toBe('M_INVALID_PARAM');
    expect(bad.body.error).toContain('unknown time zone "Europe/Atlantis"');
    expect(bad.body.error).toContain('hours.start must be before hours.end');
    expect(bad.body.error).toContain('everything');
    expect((await admin.get(DEFAULT)).status).toBe(404);

    const set = await admin.put(DEFAULT, berlinDefault);
    expect(set.status).toBe(200);
    const shown = await admin.get(DEFAULT);
    expect(shown.body).toMatchObject({
      schedule: { ...berlinDefault.schedule, enabled: true },
      users_may: { override: false, change_time_zone: true, extend_hours: true, add_holidays: false, disable: false },
      updated_ts: expect.any(Number),
    });
  });

  it('holds a user without a schedule of their own to the default, shown to others as a profile field', async () => {
    setClock('2026-12-07T09:00:00Z'); // Mon 10:00 in Berlin
    expect(await offDuty()).toBeUndefined();
    setClock('2026-12-11T16:29:00Z'); // Fri 17:29
    expect(await offDuty()).toBeUndefined();
    setClock('2026-12-11T16:30:00Z'); // Fri 17:30: the boundary
    expect(await offDuty()).toEqual({
      until: Date.parse('2026-12-14T08:00:00Z'),
      until_local: 'Mon 09:00',
      time_zone: 'Europe/Berlin',
    });
    expect((await ana.get(`${PROFILE}/org.hearth.off_duty`)).body['org.hearth.off_duty']).toMatchObject({
      until_local: 'Mon 09:00',
    });
    setClock('2026-12-24T10:00:00Z'); // Thursday, a holiday of the default
    expect((await offDuty())?.until_local).toBe('Mon 09:00');
  });

  it('refuses a schedule of their own outside the limits, and keeps none', async () => {
    const refused = await bea.put(SCHEDULE, {
      time_zone: 'Europe/Berlin',
      working_days: [1, 2, 3, 4],
      hours: { start: '10:00', end: '17:30' },
      holidays: [{ start: '2026-12-20', end: '2026-12-31' }],
    });
    expect(refused.status).toBe(400);
    expect(refused.body.errcode).toBe('M_INVALID_PARAM');
    expect(refused.body.error).toContain('Outside what the organisation allows');
    expect(refused.body.error).toContain('working_days must include 5');
    expect(refused.body.error).toContain('hours must cover 09:00-17:30');
    expect(refused.body.error).toContain('holidays may not add 2026-12-20..2026-12-31');
    expect((await bea.get(SCHEDULE)).status).toBe(404);
  });

  it('follows an extended schedule in New York across a weekend and the switch to summer time', async () => {
    const extended = {
      time_zone: 'America/New_York',
      working_days: [1, 2, 3, 4, 5],
      hours: { start: '08:00', end: '18:00' },
      holidays: [{ start: '2026-12-24', end: '2026-12-26' }],
    };
    expect((await bea.put(SCHEDULE, extended)).status).toBe(200);
    setClock('2026-03-06T22:30:00Z'); // Fri 17:30 EST (UTC-5): still on duty
    expect(await offDuty()).toBeUndefined();
    setClock('2026-03-06T23:00:00Z'); // Fri 18:00 EST
    expect(await offDuty()).toEqual({
      until: Date.parse('2026-03-09T12:00:00Z'), // Mon 08:00 EDT (UTC-4), summer time since Sunday
      until_local: 'Mon 08:00',
      time_zone: 'America/New_York',
    });
    setClock('2026-03-08T15:00:00Z'); // Sunday
    expect(await offDuty()).toBeDefined();
    setClock('2026-03-09T11:30:00Z'); // Mon 07:30 EDT (would be 06:30 EST)
    expect(await offDuty()).toBeDefined();
    setClock('2026-03-09T12:30:00Z'); // Mon 08:30 EDT; 07:30 had the clocks not changed
    expect(await offDuty()).toBeUndefined();
  });

  it('follows the user to another zone: the same instant is evening in Berlin and working time in New York', async () => {
    setClock('2026-12-07T21:00:00Z'); // Mon 22:00 Berlin, 16:00 New York
    expect(await offDuty()).toBeUndefined();
    expect(
      (await bea.put(SCHEDULE, { ...berlinDefault.schedule, hours: { start: '08:00', end: '18:00' } })).status,
    ).toBe(200);
    expect((await offDuty())?.until_local).toBe('Tue 08:00');
  });

  it('falls back to the default once the admin tightens the limits past the user’s schedule', async () => {
    setClock('2026-12-07T16:45:00Z'); // Mon 17:45 Berlin: within the user's 08:00-18:00, not the default's
    expect(await offDuty()).toBeUndefined();
    expect((await admin.put(DEFAULT, { ...berlinDefault, users_may: {} })).status).toBe(200);
    expect((await offDuty())?.until_local).toBe('Tue 09:00');
  });

  it('pushes by the effective schedule: nothing at the weekend, again on Monday morning', async () => {
    setClock('2026-12-12T11:00:00Z'); // Sat 12:00 Berlin
    const atWeekend = await send('weekend message');
    // The feed reads what committed soon after; it must have passed the weekend message before the clock moves.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(gateway.received).toEqual([]);
    setClock('2026-12-14T09:00:00Z'); // Mon 10:00
    const onMonday = await send('monday message');
    await eventually(
      () => Promise.resolve(gateway.received.find((n) => n.notification?.event_id === onMonday)),
      'the push of the Monday message',
    );
    expect(gateway.received.map((n) => n.notification?.event_id as string)).toEqual([onMonday]);
    expect(atWeekend).toMatch(/^\$/);
  });

  it('lets an admin remove the default, after which the user without a schedule is always on duty', async () => {
    expect((await bea.put(SCHEDULE, { ...berlinDefault.schedule, enabled: false })).status).toBe(400);
    expect((await admin.delete(DEFAULT)).status).toBe(200);
    expect((await admin.delete(DEFAULT)).body.errcode).toBe('M_NOT_FOUND');
    expect((await bea.put(SCHEDULE, { ...berlinDefault.schedule, enabled: false })).status).toBe(200);
    setClock('2026-12-12T11:00:00Z'); // Saturday
    expect(await offDuty()).toBeUndefined();
  });
});

import { TransactionRunner } from '@hearth/storage';
import { eventually, signUp, startTestHomeserver, type TestClient, type TestHomeserver } from '@hearth/testing';

const V3 = '/_matrix/client/v3';

const clock = { time: Date.parse('2026-12-12T10:00:00Z'), now: () => clock.time };
const setClock = (iso: string) => (clock.time = Date.parse(iso));

interface TimelineEvent {
  event_id: string;
  sender: string;
  content: { msgtype?: string; body?: string; 'org.hearth.back_at'?: { until: number; time_zone: string } };
}

describe('the automatic back-at notice: one per sender per off period, in direct chats', () => {
  let hs: TestHomeserver;
  let ana: TestClient;
  let bea: TestClient;
  let cem: TestClient;
  let anaRoom: string;
  let cemRoom: string;
  let groupRoom: string;
  let txn = 0;

  const directChat = async (from: TestClient) => {
    const roomId = (
      await from.post(`${V3}/createRoom`, { preset: 'private_chat', invite: ['@bea:work.example'], is_direct: true })
    ).body.room_id as string;
    expect((await bea.post(`${V3}/join/${roomId}`, {})).status).toBe(200);
    return roomId;
  };
  const send = async (from: TestClient, roomId: string, body: string) =>
    (await from.put(`${V3}/rooms/${roomId}/send/m.room.message/t${txn++}`, { msgtype: 'm.text', body })).body
      .event_id as string;
  const noticesIn = async (roomId: string): Promise<TimelineEvent[]> => {
    const page = await bea.get(`${V3}/rooms/${roomId}/messages?dir=b&limit=50`);
    return (page.body.chunk as TimelineEvent[]).filter(
      (event) => event.sender === '@bea:work.example' && event.content.msgtype === 'm.notice',
    );
  };
  /** The notice service reads after every commit; a message after the probe proves it passed the ones before. */
  const settle = async (roomId: string, from: TestClient) => {
    const probe = await send(from, roomId, 'probe');
    await eventually(async () => {
      const page = await bea.get(`${V3}/rooms/${roomId}/messages?dir=b&limit=1`);
      return (page.body.chunk as TimelineEvent[])[0]?.event_id === probe ? true : undefined;
    }, 'the probe');
    await new Promise((resolve) => setTimeout(resolve, 500));
  };

  beforeAll(async () => {
    hs = await startTestHomeserver({ clock, config: { server_name: 'work.example', registration: 'open' } });
    ana = await signUp(hs.url, 'ana');
    bea = await signUp(hs.url, 'bea');
    cem = await signUp(hs.url, 'cem');
    await bea.put(`${V3}/profile/@bea:work.example/displayname`, { displayname: 'Bea' });
    anaRoom = await directChat(ana);
    cemRoom = await directChat(cem);
    groupRoom = (
      await ana.post(`${V3}/createRoom`, { preset: 'private_chat', invite: ['@bea:work.example', '@cem:work.example'] })
    ).body.room_id;
    expect((await bea.post(`${V3}/join/${groupRoom}`, {})).status).toBe(200);
    expect((await cem.post(`${V3}/join/${groupRoom}`, {})).status).toBe(200);
    const schedule = await bea.put(`${V3}/user/@bea:work.example/account_data/org.hearth.availability`, {
      time_zone: 'Europe/Berlin',
      working_days: [1, 2, 3, 4, 5],
      hours: { start: '09:00', end: '17:00' },
      auto_reply: true,
    });
    expect(schedule.status).toBe(200);
  });
  afterAll(() => hs.destroy());

  it('answers the first message of each sender at the weekend once, saying when the user is back', async () => {
    setClock('2026-12-12T10:00:00Z'); // Sat 11:00 in Berlin
    await send(ana, anaRoom, 'are you there?');
    await send(ana, anaRoom, 'hello?');
    await send(cem, cemRoom, 'quick question');
    const [anaNotice] = await eventually(async () => {
      const found = await noticesIn(anaRoom);
      return found.length > 0 ? found : undefined;
    }, 'the notice to Ana');
    expect(anaNotice?.content.body).toBe('Bea is off duty until Mon 09:00 (Europe/Berlin)');
    expect(anaNotice?.content['org.hearth.back_at']).toEqual({
      until: Date.parse('2026-12-14T08:00:00Z'),
      time_zone: 'Europe/Berlin',
    });
    await eventually(async () => ((await noticesIn(cemRoom)).length === 1 ? true : undefined), 'the notice to Cem');
    await send(ana, anaRoom, 'still nobody?');
    await settle(anaRoom, ana);
    expect(await noticesIn(anaRoom)).toHaveLength(1);
  });

  it('sends none in a room of three, nor while on duty', async () => {
    await send(ana, groupRoom, 'hello everyone');
    await settle(groupRoom, ana);
    expect(await noticesIn(groupRoom)).toEqual([]);
    setClock('2026-12-14T09:00:00Z'); // Mon 10:00
    await send(ana, anaRoom, 'good morning');
    await settle(anaRoom, ana);
    expect(await noticesIn(anaRoom)).toHaveLength(1);
  });

  it('sends a new one in the next off period, and forgets the ended period', async () => {
    setClock('2026-12-14T17:00:00Z'); // Mon 18:00: a new off period, until Tuesday 09:00
    const rows = () =>
      hs.server.app
        .get(TransactionRunner)
        .read((em) => em.query('SELECT user_id, sender, back_ts FROM availability_notices ORDER BY back_ts'));
    await send(ana, anaRoom, 'one more thing');
    await eventually(async () => ((await noticesIn(anaRoom)).length === 2 ? true : undefined), 'the second notice');
    expect((await noticesIn(anaRoom))[0]?.content.body).toBe('Bea is off duty until Tue 09:00 (Europe/Berlin)');
    // The weekend's rows (back at Monday 09:00) went with the round that read this message.
    expect(await rows()).toEqual([
      {
        user_id: '@bea:work.example',
        sender: '@ana:work.example',
        back_ts: String(Date.parse('2026-12-15T08:00:00Z')),
      },
    ]);
  });
});

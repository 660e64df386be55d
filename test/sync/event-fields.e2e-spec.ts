import { signUp, startTestHomeserver, type LooseBody, type TestHomeserver } from '@hearth/testing';

describe('sync with event_fields: events keep only the fields the filter lists', () => {
  let hs: TestHomeserver;
  afterAll(() => hs.destroy());

  it('projects timeline and state events', async () => {
    hs = await startTestHomeserver({ config: { server_name: 'fields.example', registration: 'open' } });
    const ana = await signUp(hs.url, 'ana');
    const roomId = (await ana.post('/_matrix/client/v3/createRoom', { name: 'Fields' })).body.room_id as string;
    await ana.put(`/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/m.room.message/f1`, {
      msgtype: 'm.text',
      body: 'hello',
    });
    const filter = encodeURIComponent(
      JSON.stringify({ event_fields: ['type', 'content.body', 'sender'], room: { timeline: { limit: 1 } } }),
    );
    const sync = await ana.get(`/_matrix/client/v3/sync?filter=${filter}`);
    const room = sync.body.rooms.join[roomId];
    expect(room.timeline.events).toEqual([
      { type: 'm.room.message', sender: '@ana:fields.example', content: { body: 'hello' } },
    ]);
    for (const event of room.state.events as LooseBody[])
      expect(Object.keys(event).every((key) => ['type', 'content', 'sender'].includes(key))).toBe(true);
  });
});

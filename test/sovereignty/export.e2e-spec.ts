import { eventually, signUp, startTestHomeserver, TestClient, type TestHomeserver } from '@hearth/testing';
import { jsonLines, readArchive } from './archive-reader';

describe('self-service export', () => {
  let hs: TestHomeserver;
  let ana: TestClient;
  let bob: TestClient;
  let roomId: string;

  beforeAll(async () => {
    hs = await startTestHomeserver({ config: { server_name: 'work.example', registration: 'open' } });
    ana = await signUp(hs.url, 'ana');
    bob = await signUp(hs.url, 'bob');
    const created = await bob.post('/_matrix/client/v3/createRoom', {
      preset: 'public_chat',
      initial_state: [{ type: 'm.room.history_visibility', state_key: '', content: { history_visibility: 'joined' } }],
    });
    roomId = created.body.room_id as string;
    await bob.put(`/_matrix/client/v3/rooms/${roomId}/send/m.room.message/t1`, {
      msgtype: 'm.text',
      body: 'said before ana joined',
    });
    expect((await ana.post(`/_matrix/client/v3/join/${roomId}`)).status).toBe(200);
    await bob.put(`/_matrix/client/v3/rooms/${roomId}/send/m.room.message/t2`, {
      msgtype: 'm.text',
      body: 'said after ana joined',
    });
    await ana.put('/_matrix/client/v3/profile/@ana:work.example/displayname', { displayname: 'Ana at work' });
    await ana.put('/_matrix/client/v3/user/@ana:work.example/account_data/org.example.theme', { theme: 'dark' });
  });
  afterAll(() => hs.destroy());

  async function exportReady(client: TestClient, exportId: string) {
    return eventually(async () => {
      const status = await client.get(`/_hearth/client/v1/export/${exportId}`);
      expect(['pending', 'running', 'ready']).toContain(status.body.state);
      return status.body.state === 'ready' ? status.body : undefined;
    }, `export ${exportId}`);
  }

  it("builds an archive of what ana may see, and nothing from before she joined a 'joined' room", async () => {
    const asked = await ana.post('/_hearth/client/v1/export');
    expect(asked.status).toBe(202);
    expect(asked.body.state).toBe('pending');
    const ready = await exportReady(ana, asked.body.export_id as string);
    expect(ready.progress).toEqual({ rooms_done: 1, rooms_total: 1 });
    expect(ready.expires_ts - ready.finished_ts).toBe(7 * 24 * 3600 * 1000);

    const download = await fetch(`${hs.url}/_hearth/client/v1/export/${ready.export_id}/download`, {
      headers: { authorization: `Bearer ${ana.accessToken}` },
    });
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('application/gzip');
    const files = await readArchive(Buffer.from(await download.arrayBuffer()));

    const manifest = JSON.parse(files.get('manifest.json') ?? '{}');
    expect(manifest).toMatchObject({ format: 'org.hearth.export', version: 1, user_id: '@ana:work.example' });
    expect(JSON.parse(files.get('profile.json') ?? '{}')).toEqual({ displayname: 'Ana at work', avatar_url: null });
    expect(jsonLines(files.get('account_data.jsonl'))).toContainEqual({
      room_id: null,
      type: 'org.example.theme',
      content: { theme: 'dark' },
    });
    const devices = jsonLines(files.get('devices.jsonl'));
    expect(devices).toHaveLength(1);
    expect(Object.keys(devices[0] ?? {}).sort()).toEqual(['created_ts', 'device_id', 'display_name', 'last_seen_ts']);
    expect(files.get('account.json')).not.toContain('password');
    expect(jsonLines(files.get('push_rules.jsonl'))).toEqual(expect.any(Array));
    expect(jsonLines(files.get('memberships.jsonl'))).toEqual([
      expect.objectContaining({ room_id: roomId, membership: 'join' }),
    ]);

    const events = jsonLines(files.get(`rooms/${encodeURIComponent(roomId)}.jsonl`));
    const bodies = events.map((event) => (event.content as { body?: string }).body).filter(Boolean);
    expect(bodies).toEqual(['said after ana joined']);
    expect(events.some((event) => event.type === 'm.room.member' && event.state_key === '@ana:work.example')).toBe(
      true,
    );
    expect(manifest.rooms).toEqual([
      { room_id: roomId, file: `rooms/${encodeURIComponent(roomId)}.jsonl`, events: events.length },
    ]);
  });

  it('keeps one archive in preparation at a time', async () => {
    const [first, second] = await Promise.all([
      bob.post('/_hearth/client/v1/export'),
      bob.post('/_hearth/client/v1/export'),
    ]);
    const statuses = [first.status, second.status].sort();
    expect(statuses).toEqual([202, 429]);
    const refused = first.status === 429 ? first : second;
    const accepted = first.status === 202 ? first : second;
    expect(refused.body.errcode).toBe('M_LIMIT_EXCEEDED');
    expect(refused.body.export_id).toBe(accepted.body.export_id);
    await exportReady(bob, accepted.body.export_id as string);
    expect((await bob.post('/_hearth/client/v1/export')).status).toBe(202);
  });

  it("does not show or hand out another user's archive", async () => {
    const mine = (await ana.get('/_hearth/client/v1/export')).body;
    expect(mine.state).toBe('ready');
    const status = await bob.get(`/_hearth/client/v1/export/${mine.export_id}`);
    expect(status.status).toBe(404);
    expect(status.body.errcode).toBe('M_NOT_FOUND');
    const download = await bob.get(`/_hearth/client/v1/export/${mine.export_id}/download`);
    expect(download.status).toBe(404);
    expect(download.body.errcode).toBe('M_NOT_FOUND');
    expect((await new TestClient(hs.url).get(`/_hearth/client/v1/export/${mine.export_id}`)).status).toBe(401);
    expect((await ana.get('/_hearth/client/v1/export/no-such-export')).status).toBe(404);
  });
});

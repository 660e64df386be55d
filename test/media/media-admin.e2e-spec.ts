import { AdminUsersService } from '@hearth/accounts';
import { signUp, startTestHomeserver, TestClient, type TestHomeserver } from '@hearth/testing';
import { mediaFetch, mediaPath, upload } from './media-http';

const ADMIN = '/_synapse/admin/v1';
const V3 = '/_matrix/client/v3';
const SERVER = 'madmin.example';
const PNG_1X1 = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

/** Issue 18, item 7: Synapse's media admin API over real uploads. */
describe('media admin API', () => {
  let hs: TestHomeserver;
  let admin: TestClient;
  let ana: TestClient;
  let bea: TestClient;

  const idOf = (mxc: string) => mxc.split('/').pop() as string;
  const download = (mxc: string, client: TestClient = bea) =>
    mediaFetch(`${hs.url}/_matrix/client/v1/media/download/${mediaPath(mxc)}`, { token: client.accessToken });
  const thumbnail = (mxc: string) =>
    mediaFetch(`${hs.url}/_matrix/client/v1/media/thumbnail/${mediaPath(mxc)}?width=32&height=32&method=crop`, {
      token: bea.accessToken,
    });

  beforeAll(async () => {
    hs = await startTestHomeserver({ config: { server_name: SERVER, registration: 'open' } });
    await hs.server.app.get(AdminUsersService).upsert(`@admin:${SERVER}`, { password: 'admin-pw', admin: true });
    const anon = new TestClient(hs.url);
    admin = new TestClient(hs.url, (await anon.loginPassword('admin', 'admin-pw')).body.access_token);
    [ana, bea] = await Promise.all([signUp(hs.url, 'ana'), signUp(hs.url, 'bea')]);
  });
  afterAll(() => hs.destroy());

  it("lists a user's media newest first, pages it, and orders it as asked", async () => {
    const small = await upload(hs.url, ana.accessToken!, 'a', 'text/plain', 'b-small.txt');
    const large = await upload(hs.url, ana.accessToken!, 'a much longer body', 'text/plain', 'a-large.txt');
    const listed = await admin.get(`${ADMIN}/users/${encodeURIComponent(`@ana:${SERVER}`)}/media`);
    expect(listed.status).toBe(200);
    expect(listed.body.total).toBe(2);
    expect(listed.body.next_token).toBeUndefined();
    expect(listed.body.media.map((m: { media_id: string }) => m.media_id)).toEqual([idOf(large), idOf(small)]);
    expect(listed.body.media[1]).toEqual({
      media_id: idOf(small),
      media_type: 'text/plain',
      media_length: 1,
      upload_name: 'b-small.txt',
      created_ts: expect.any(Number),
      last_access_ts: expect.any(Number),
      quarantined_by: null,
      safe_from_quarantine: false,
    });

    const first = await admin.get(`${ADMIN}/users/${encodeURIComponent(`@ana:${SERVER}`)}/media?limit=1`);
    expect(first.body.media).toHaveLength(1);
    expect(first.body.next_token).toBe(1);
    const second = await admin.get(`${ADMIN}/users/${encodeURIComponent(`@ana:${SERVER}`)}/media?limit=1&from=1`);
    expect(second.body.media[0].media_id).toBe(idOf(small));
    expect(second.body.next_token).toBeUndefined();

    const byName = await admin.get(`${ADMIN}/users/${encodeURIComponent(`@ana:${SERVER}`)}/media?order_by=upload_name`);
    expect(byName.body.media.map((m: { upload_name: string }) => m.upload_name)).toEqual([
      'a-large.txt',
      'b-small.txt',
    ]);
    const bySize = await admin.get(
      `${ADMIN}/users/${encodeURIComponent(`@ana:${SERVER}`)}/media?order_by=media_length&dir=b`,
    );
    expect(bySize.body.media[0].media_id).toBe(idOf(large));
  });

  it('refuses bad parameters, unknown and remote users, and anyone who is not an admin', async () => {
    const ana_ = encodeURIComponent(`@ana:${SERVER}`);
    expect((await admin.get(`${ADMIN}/users/${ana_}/media?order_by=sha256`)).body.errcode).toBe('M_INVALID_PARAM');
    expect((await admin.get(`${ADMIN}/users/${ana_}/media?dir=x`)).status).toBe(400);
    expect((await admin.get(`${ADMIN}/users/${ana_}/media?limit=-1`)).status).toBe(400);
    const unknown = await admin.get(`${ADMIN}/users/${encodeURIComponent(`@nobody:${SERVER}`)}/media`);
    expect([unknown.status, unknown.body.errcode]).toEqual([404, 'M_NOT_FOUND']);
    const remote = await admin.get(`${ADMIN}/users/${encodeURIComponent('@ana:elsewhere.example')}/media`);
    expect(remote.status).toBe(400);

    const refused = [
      await bea.get(`${ADMIN}/users/${ana_}/media`),
      await bea.delete(`${ADMIN}/users/${ana_}/media`),
      await bea.post(`${ADMIN}/media/delete?before_ts=${Date.now()}`),
      await bea.post(`${ADMIN}/purge_media_cache?before_ts=${Date.now()}`),
      await bea.post(`${ADMIN}/media/quarantine/${SERVER}/abc`),
      await bea.post(`${ADMIN}/user/${ana_}/media/quarantine`),
    ];
    for (const res of refused) expect([res.status, res.body.errcode]).toEqual([403, 'M_FORBIDDEN']);
    expect((await new TestClient(hs.url).get(`${ADMIN}/users/${ana_}/media`)).status).toBe(401);

    expect((await admin.post(`${ADMIN}/media/delete`)).body.errcode).toBe('M_MISSING_PARAM');
    expect((await admin.post(`${ADMIN}/media/delete?before_ts=soon`)).status).toBe(400);
    expect((await admin.post(`${ADMIN}/media/delete?before_ts=1&keep_profiles=maybe`)).status).toBe(400);
    expect((await admin.post(`${ADMIN}/purge_media_cache`)).body.errcode).toBe('M_MISSING_PARAM');
    expect((await admin.post(`${ADMIN}/media/quarantine/${SERVER}/no..pe`)).status).toBe(400);
    expect((await admin.post(`${ADMIN}/room/not-a-room/media/quarantine`)).status).toBe(400);
  });

  it('quarantines media so that no download or thumbnail serves it, and releases it again', async () => {
    const image = await upload(hs.url, ana.accessToken!, PNG_1X1, 'image/png', 'dot.png');
    expect((await download(image)).status).toBe(200);
    expect((await thumbnail(image)).status).toBe(200);

    expect((await admin.post(`${ADMIN}/media/quarantine/${mediaPath(image)}`)).status).toBe(200);
    for (const res of [await download(image), await download(image, ana), await thumbnail(image)]) {
      expect([res.status, res.json().errcode]).toEqual([404, 'M_NOT_FOUND']);
    }
    const listed = await admin.get(`${ADMIN}/users/${encodeURIComponent(`@ana:${SERVER}`)}/media`);
    const row = listed.body.media.find((m: { media_id: string }) => m.media_id === idOf(image));
    expect(row.quarantined_by).toBe(`@admin:${SERVER}`);

    expect((await admin.post(`${ADMIN}/media/unquarantine/${mediaPath(image)}`)).status).toBe(200);
    expect((await download(image)).bytes).toEqual(PNG_1X1);

    const unknown = await admin.post(`${ADMIN}/media/quarantine/${SERVER}/doesNotExist`);
    expect([unknown.status, unknown.body.errcode]).toEqual([404, 'M_NOT_FOUND']);
    // nothing of other servers is cached yet, so there is nothing of theirs to quarantine
    expect((await admin.post(`${ADMIN}/media/quarantine/elsewhere.example/abc`)).status).toBe(404);
  });

  it("quarantines all of a user's media, and the media a room's events point at", async () => {
    const bea1 = await upload(hs.url, bea.accessToken!, 'one', 'text/plain');
    const bea2 = await upload(hs.url, bea.accessToken!, 'two', 'text/plain');
    const res = await admin.post(`${ADMIN}/user/${encodeURIComponent(`@bea:${SERVER}`)}/media/quarantine`);
    expect(res.body).toEqual({ num_quarantined: 2 });
    expect((await download(bea1, ana)).status).toBe(404);
    expect((await download(bea2, ana)).status).toBe(404);

    const room = (await ana.post(`${V3}/createRoom`, {})).body.room_id as string;
    const shared = await upload(hs.url, ana.accessToken!, PNG_1X1, 'image/png');
    const untouched = await upload(hs.url, ana.accessToken!, 'not in the room', 'text/plain');
    await ana.put(`${V3}/rooms/${encodeURIComponent(room)}/send/m.room.message/img`, {
      msgtype: 'm.image',
      body: 'dot.png',
      url: shared,
      info: { thumbnail_url: shared },
    });
    const quarantined = await admin.post(`${ADMIN}/room/${encodeURIComponent(room)}/media/quarantine`);
    expect(quarantined.body).toEqual({ num_quarantined: 1 });
    expect((await download(shared)).status).toBe(404);
    expect((await download(untouched)).status).toBe(200);
  });

  it("deletes one media ID, a user's media, and media from before a time (keeping avatars unless told)", async () => {
    const one = await upload(hs.url, ana.accessToken!, 'delete me', 'text/plain');
    const deleted = await admin.delete(`${ADMIN}/media/${mediaPath(one)}`);
    expect(deleted.body).toEqual({ deleted_media: [idOf(one)], total: 1 });
    expect((await download(one)).status).toBe(404);
    expect((await admin.delete(`${ADMIN}/media/${mediaPath(one)}`)).status).toBe(404);
    expect((await admin.delete(`${ADMIN}/media/elsewhere.example/abc`)).status).toBe(400);

    const avatar = await upload(hs.url, ana.accessToken!, PNG_1X1, 'image/png', 'me.png');
    await ana.put(`${V3}/profile/${encodeURIComponent(`@ana:${SERVER}`)}/avatar_url`, { avatar_url: avatar });
    const old = await upload(hs.url, ana.accessToken!, 'an old big file', 'text/plain');
    const tiny = await upload(hs.url, ana.accessToken!, 'x', 'text/plain');
    const cutoff = Date.now() + 1;
    await new Promise((resolve) => setTimeout(resolve, 5));
    const fresh = await upload(hs.url, ana.accessToken!, 'a fresh file', 'text/plain');

    const before = await admin.post(`${ADMIN}/media/delete?before_ts=${cutoff}&size_gt=1`);
    expect(before.status).toBe(200);
    expect(before.body.deleted_media).toContain(idOf(old));
    expect(before.body.deleted_media).not.toContain(idOf(tiny));
    expect(before.body.deleted_media).not.toContain(idOf(avatar));
    expect(before.body.deleted_media).not.toContain(idOf(fresh));
    expect(before.body.total).toBe(before.body.deleted_media.length);
    expect((await download(old)).status).toBe(404);
    expect((await download(fresh)).status).toBe(200);
    expect((await download(avatar)).status).toBe(200);

    const withAvatars = await admin.post(`${ADMIN}/media/delete?before_ts=${cutoff}&keep_profiles=false`);
    expect(withAvatars.body.deleted_media).toEqual(expect.arrayContaining([idOf(avatar), idOf(tiny)]));

    const all = await admin.delete(`${ADMIN}/users/${encodeURIComponent(`@ana:${SERVER}`)}/media`);
    expect(all.body.deleted_media).toContain(idOf(fresh));
    const left = await admin.get(`${ADMIN}/users/${encodeURIComponent(`@ana:${SERVER}`)}/media`);
    expect(left.body).toEqual({ media: [], total: 0 });
  });

  it('purges the remote media cache (empty on this lone server; remote-media.e2e-spec.ts purges a filled one)', async () => {
    const res = await admin.post(`${ADMIN}/purge_media_cache?before_ts=${Date.now()}`);
    expect([res.status, res.body]).toEqual([200, { deleted: 0 }]);
  });
});

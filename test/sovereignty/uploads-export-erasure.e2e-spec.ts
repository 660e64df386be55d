import { createHash } from 'node:crypto';
import { AdminUsersService } from '@hearth/accounts';
import { MEDIA_STORE, type MediaStore } from '@hearth/media';
import { eventually, signUp, startTestHomeserver, TestClient, type TestHomeserver } from '@hearth/testing';
import { mediaFetch, mediaPath, upload } from '../media/media-http';
import { jsonLines, readArchive } from './archive-reader';

const sha256 = (bytes: string) => createHash('sha256').update(bytes).digest('hex');

describe("a user's uploads: in their export, gone with erasure, kept by plain deactivation", () => {
  let hs: TestHomeserver;
  let ana: TestClient;
  let bea: TestClient;
  let cem: TestClient;
  let admin: TestClient;
  const own = 'ana’s own drawing';
  const shared = 'a file ana and bea both uploaded';
  let ownUri: string;
  let sharedUri: string;
  let beaUri: string;
  let cemUri: string;

  const download = (client: TestClient, mxc: string) =>
    mediaFetch(`${hs.url}/_matrix/client/v1/media/download/${mediaPath(mxc)}`, { token: client.accessToken });
  const deactivate = async (client: TestClient, user: string, erase: boolean) => {
    const path = '/_matrix/client/v3/account/deactivate';
    const challenge = await client.post(path, { erase });
    return client.post(path, {
      erase,
      auth: {
        type: 'm.login.password',
        identifier: { type: 'm.id.user', user },
        password: 'pw',
        session: challenge.body.session,
      },
    });
  };

  beforeAll(async () => {
    hs = await startTestHomeserver({ config: { server_name: 'work.example', registration: 'open' } });
    ana = await signUp(hs.url, 'ana');
    bea = await signUp(hs.url, 'bea');
    cem = await signUp(hs.url, 'cem');
    ownUri = await upload(hs.url, ana.accessToken as string, own, 'text/plain', 'drawing.txt');
    sharedUri = await upload(hs.url, ana.accessToken as string, shared, 'text/plain', 'shared.txt');
    beaUri = await upload(hs.url, bea.accessToken as string, shared, 'text/plain', 'mine-too.txt');
    await hs.server.app.get(AdminUsersService).upsert('@boss:work.example', { password: 'boss-pw', admin: true });
    admin = new TestClient(hs.url, (await new TestClient(hs.url).loginPassword('boss', 'boss-pw')).body.access_token);
    cemUri = await upload(hs.url, cem.accessToken as string, 'cem’s notes', 'text/plain', 'notes.txt');
  });
  afterAll(() => hs.destroy());

  it('puts the uploads in the export: the bytes under uploads/ and one metadata line each', async () => {
    const asked = await ana.post('/_hearth/client/v1/export');
    expect(asked.status).toBe(202);
    const ready = await eventually(async () => {
      const status = await ana.get(`/_hearth/client/v1/export/${asked.body.export_id as string}`);
      return status.body.state === 'ready' ? status.body : undefined;
    }, 'the export');
    const archive = await fetch(`${hs.url}/_hearth/client/v1/export/${ready.export_id as string}/download`, {
      headers: { authorization: `Bearer ${ana.accessToken}` },
    });
    const files = await readArchive(Buffer.from(await archive.arrayBuffer()));
    expect(JSON.parse(files.get('manifest.json') ?? '{}').media).toEqual({
      file: 'uploads.jsonl',
      folder: 'uploads/',
      count: 2,
    });
    const lines = jsonLines(files.get('uploads.jsonl'));
    const ownId = ownUri.split('/').pop() as string;
    expect(lines).toContainEqual({
      media_id: ownId,
      content_type: 'text/plain',
      upload_name: 'drawing.txt',
      size: Buffer.byteLength(own),
      sha256: sha256(own),
      created_ts: expect.any(Number),
      file: `uploads/${ownId}`,
    });
    expect(lines.map((line) => line.upload_name).sort()).toEqual(['drawing.txt', 'shared.txt']);
    expect(files.get(`uploads/${ownId}`)).toBe(own);
    expect(files.get(`uploads/${sharedUri.split('/').pop() as string}`)).toBe(shared);
  });

  it('keeps the uploads of an account deactivated without erase, as Synapse does', async () => {
    expect((await deactivate(cem, '@cem:work.example', false)).status).toBe(200);
    const kept = await download(bea, cemUri);
    expect(kept.status).toBe(200);
    expect(kept.bytes.toString()).toBe('cem’s notes');
  });

  it('erases the uploads, and their bytes unless another upload holds the same content', async () => {
    const store = hs.server.app.get<symbol, MediaStore>(MEDIA_STORE);
    expect((await deactivate(ana, '@ana:work.example', true)).status).toBe(200);
    expect((await download(bea, ownUri)).status).toBe(404);
    expect((await download(bea, sharedUri)).status).toBe(404);
    expect(await store.exists(sha256(own))).toBe(false);
    expect(await store.exists(sha256(shared))).toBe(true);
    const beaCopy = await download(bea, beaUri);
    expect(beaCopy.status).toBe(200);
    expect(beaCopy.bytes.toString()).toBe(shared);
  });

  it('shows in the admin API which deactivated accounts were erased', async () => {
    expect((await admin.get('/_synapse/admin/v2/users/@ana:work.example')).body).toMatchObject({
      deactivated: true,
      erased: true,
    });
    expect((await admin.get('/_synapse/admin/v2/users/@cem:work.example')).body).toMatchObject({
      deactivated: true,
      erased: false,
    });
  });
});

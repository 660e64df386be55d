import * as http from 'node:http';
import { eventually, signUp, startTestHomeserver, type TestHomeserver } from '@hearth/testing';
import { mediaPath, upload } from '../media/media-http';

/** Far more than loopback socket buffers hold, so the answer stays unfinished while the client does not read. */
const FILE_BYTES = 32 * 1024 * 1024;
/** Only so that a failure names itself before jest's timeout; the keep-alive this guards against lasted 72 s. */
const CLOSE_LIMIT_MS = 10_000;

describe('shutdown', () => {
  let hs: TestHomeserver | undefined;
  const agent = new http.Agent({ keepAlive: true });

  afterAll(async () => {
    agent.destroy();
    await hs?.destroy();
  });

  it('ends a connection whose answer finishes after close began, instead of keeping it alive', async () => {
    hs = await startTestHomeserver({ config: { registration: 'open' } });
    const token = (await signUp(hs.url, 'ana')).accessToken!;
    const media = mediaPath(await upload(hs.url, token, Buffer.alloc(FILE_BYTES, 7)));

    const response = await new Promise<http.IncomingMessage>((resolve, reject) =>
      http
        .get(
          `${hs!.url}/_matrix/client/v1/media/download/${media}`,
          { agent, headers: { authorization: `Bearer ${token}` } },
          resolve,
        )
        .on('error', reject),
    );
    response.pause();
    const socket = response.socket;
    const socketClosed = new Promise<void>((resolve) => socket.once('close', () => resolve()));

    const closing = hs.server.close();
    // The listener stops only after the shutdown hooks; from then on an idle connection is ended at once.
    const listener = hs.server.app.getHttpServer();
    await eventually(() => Promise.resolve(listener.listening ? undefined : true), 'the listener to stop');

    let received = 0;
    response.on('data', (chunk: Buffer) => (received += chunk.length));
    const ended = new Promise<void>((resolve) => response.once('end', () => resolve()));
    response.resume();
    await ended;
    expect(response.statusCode).toBe(200);
    expect(received).toBe(FILE_BYTES);

    await withinLimit(socketClosed, 'the server to end the connection once its answer was written');
    await withinLimit(closing, 'close() to finish');
  });
});

async function withinLimit(promise: Promise<void>, what: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`waited ${CLOSE_LIMIT_MS} ms for ${what}`)), CLOSE_LIMIT_MS);
  });
  try {
    await Promise.race([promise, limit]);
  } finally {
    clearTimeout(timer);
  }
}

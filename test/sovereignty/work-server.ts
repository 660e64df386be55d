import type { Clock } from '@hearth/sovereignty';
import { signUp, startTestHomeserver, TestPushGateway, type TestClient, type TestHomeserver } from '@hearth/testing';

const V3 = '/_matrix/client/v3';

export interface WorkServer {
  readonly hs: TestHomeserver;
  readonly gateway: TestPushGateway;
  readonly ana: TestClient;
  /** Has a pusher to `gateway`, and a direct chat with ana (`roomId`). */
  readonly bea: TestClient;
  readonly roomId: string;
  stop(): Promise<void>;
}

/** work.example with ana and bea in a direct chat, bea's phone pushed through a test gateway: where availability is tried. */
export async function startWorkServer(options: { clock?: Clock } = {}): Promise<WorkServer> {
  const gateway = await TestPushGateway.start();
  const hs = await startTestHomeserver({
    ...(options.clock ? { clock: options.clock } : {}),
    config: {
      server_name: 'work.example',
      registration: 'open',
      push: { allow_http_gateways: true, allow_private_gateways: true },
    },
  });
  const ana = await signUp(hs.url, 'ana');
  const bea = await signUp(hs.url, 'bea');
  const roomId = (
    await ana.post(`${V3}/createRoom`, { preset: 'private_chat', invite: ['@bea:work.example'], is_direct: true })
  ).body.room_id as string;
  expect((await bea.post(`${V3}/join/${roomId}`, {})).status).toBe(200);
  const pusher = await bea.post(`${V3}/pushers/set`, {
    kind: 'http',
    app_id: 'org.example.work',
    app_display_name: 'Work',
    device_display_name: 'Phone',
    lang: 'en',
    pushkey: 'bea-phone',
    data: { url: gateway.url },
  });
  expect(pusher.status).toBe(200);
  return {
    hs,
    gateway,
    ana,
    bea,
    roomId,
    stop: async () => {
      await hs.destroy();
      await gateway.stop();
    },
  };
}

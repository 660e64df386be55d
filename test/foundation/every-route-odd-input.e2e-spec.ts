import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import { AdminUsersService } from '@hearth/accounts';
import { signUp, startTestHomeserver, TestClient, type TestHomeserver } from '@hearth/testing';

interface Route {
  readonly method: string;
  readonly path: string;
}

/** Bodies no endpoint takes as they are: the wrong JSON types, cut-off JSON, deep nesting. */
const ODD_BODIES = [
  'null',
  '[]',
  '"text"',
  '5',
  '{}',
  '{"a":',
  `${'['.repeat(2_000)}${']'.repeat(2_000)}`,
  '{"content":1,"body":[],"type":{},"user_id":5,"room_id":null,"limit":"x","auth":"x","device_id":[]}',
];
const ODD_QUERIES = ['limit=-1', 'limit=abc', 'limit=1e400', 'from=zz', 'to=%00', 'dir=x', 'since=zz', 'timeout=-5'];
const ODD_PARAMS = ['%00', 'x'.repeat(300), '..', '%25', '!', '@', '-1', '99999999999999999999'];

/** Every route the homeserver's controllers declare, from Nest's own metadata. */
function routesOf(modules: ModulesContainer): Route[] {
  const routes: Route[] = [];
  for (const module of modules.values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (new (...args: never[]) => unknown) | null;
      if (!controller) continue;
      const bases = [Reflect.getMetadata(PATH_METADATA, controller) as string | string[] | undefined].flat();
      for (const name of Object.getOwnPropertyNames(controller.prototype)) {
        const handler = (controller.prototype as Record<string, unknown>)[name];
        if (typeof handler !== 'function' || name === 'constructor') continue;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        const paths = [Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined].flat();
        if (method === undefined) continue;
        for (const base of bases)
          for (const path of paths)
            routes.push({
              method: RequestMethod[method],
              path: `/${[base, path].filter((part) => part && part !== '/').join('/')}`.replace(/\/+/g, '/'),
            });
      }
    }
  }
  return routes;
}

/**
 * Odd input on every route the controllers declare, as a careless client or a prober sends it:
 * bodies of the wrong shape, parameters that name nothing, query values out of range. Each is
 * answered with a Matrix error (or served), never with a 5xx; a route added later is covered
 * without being named here. (A longer probe of the same kind, with every field of the spec's
 * request examples mutated, found one 500, now in admin-api.e2e-spec.ts.)
 */
describe('every route, odd input', () => {
  let hs: TestHomeserver;
  let ana: TestClient;
  let boss: TestClient;
  let known: Record<string, string>;

  beforeAll(async () => {
    hs = await startTestHomeserver({ config: { registration: 'open' } });
    await hs.server.app.get(AdminUsersService).upsert('@boss:hearth.test', { password: 'boss-pw', admin: true });
    boss = new TestClient(
      hs.url,
      (await new TestClient(hs.url).loginPassword('boss', 'boss-pw')).body.access_token as string,
    );
    ana = await signUp(hs.url, 'ana');
    const roomId = (await ana.post('/_matrix/client/v3/createRoom', {})).body.room_id as string;
    const sent = await ana.put(`/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/m.room.message/t0`, {
      msgtype: 'm.text',
      body: 'hi',
    });
    known = {
      roomId,
      roomIdOrAlias: roomId,
      eventId: sent.body.event_id as string,
      userId: '@ana:hearth.test',
      serverName: 'hearth.test',
    };
  });
  afterAll(() => hs.destroy());

  it('answers with a Matrix error or serves it, never a 5xx', async () => {
    const routes = routesOf(hs.server.app.get(ModulesContainer));
    expect(routes.length).toBeGreaterThan(150);
    const failures: string[] = [];
    const hit = async (route: Route, path: string, body: string | undefined, client: TestClient) => {
      const res = await fetch(`${hs.url}${path}`, {
        method: route.method,
        headers: { authorization: `Bearer ${client.accessToken}`, 'content-type': 'application/json' },
        ...(body !== undefined && route.method !== 'GET' && route.method !== 'HEAD' ? { body } : {}),
      });
      const text = await res.text();
      // 502 and 504 name another server that did not answer (an ID of a server that does not exist).
      const serverFault = res.status >= 500 && res.status !== 502 && res.status !== 504;
      // User-interactive auth asks for its stages with a 401 that carries `flows`, not an errcode.
      const uiaStages = res.status === 401 && /"flows"/.test(text);
      const unexplained = res.status >= 400 && !/"errcode"/.test(text) && !uiaStages && route.method !== 'HEAD';
      if (serverFault || unexplained)
        failures.push(`${res.status} ${route.method} ${path} ${body?.slice(0, 80) ?? ''} -> ${text.slice(0, 160)}`);
    };
    for (const route of routes) {
      const fill = (odd?: { name: string; value: string }) =>
        route.path.replace(/:(\w+)/g, (_m, name: string) =>
          odd?.name === name ? odd.value : encodeURIComponent(known[name] ?? 'x'),
        );
      const client = route.path.includes('/admin/') ? boss : ana;
      for (const body of ODD_BODIES) await hit(route, fill(), body, client);
      for (const query of ODD_QUERIES) await hit(route, `${fill()}?${query}`, '{}', client);
      for (const name of [...route.path.matchAll(/:(\w+)/g)].map((match) => match[1] as string))
        for (const value of ODD_PARAMS) await hit(route, fill({ name, value }), '{}', client);
    }
    expect(failures).toEqual([]);
  }, 300_000);
});

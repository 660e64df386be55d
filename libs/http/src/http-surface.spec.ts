import * as net from 'node:net';
import { Body, Controller, Get, Module, Param, Post, ServiceUnavailableException } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import pino from 'pino';
import { z } from 'zod';
import { ProtocolError, unstorableJsonReason } from '@hearth/protocol';
import { BodyLimit } from './body-limit';
import { configureHttpSurface } from './configure-http';
import { httpServerOptions } from './http-server-options';
import { MatrixError } from './matrix-error';
import { ZodBodyPipe } from './zod-body.pipe';

const EchoBody = z.object({ name: z.string(), count: z.number().int().optional() });

/** Stands for a library's own failure, which it names through `translateError` (storage: a saturated pool). */
class PoolExhausted extends Error {}

@Controller('test')
class SurfaceTestController {
  @Post('echo')
  echo(@Body(new ZodBodyPipe(EchoBody)) body: z.output<typeof EchoBody>) {
    return { echoed: body };
  }

  @Post('raw')
  raw(@Body() body: unknown) {
    return { received: body ?? null };
  }

  @Post('small')
  @BodyLimit(64)
  small(@Body() body: unknown) {
    return { received: body ?? null };
  }

  @Post('items')
  @BodyLimit(4096, { stringsCheckedByHandler: true })
  items(@Body() body: { items: unknown[] }) {
    return { storable: body.items.map((item) => unstorableJsonReason(item) === undefined) };
  }

  @Get('things/:thingId')
  thing(@Param('thingId') thingId: string) {
    return { thingId };
  }

  @Get('forbidden')
  forbidden(): never {
    throw MatrixError.forbidden('not for you');
  }

  @Get('boom')
  boom(): never {
    throw new Error('secret database password in stack');
  }

  @Get('busy')
  busy(): never {
    throw new PoolExhausted();
  }

  @Get('protocol')
  protocol(): never {
    throw new ProtocolError('INVALID_ID', 'bad user id');
  }
}

@Module({ controllers: [SurfaceTestController] })
class SurfaceTestModule {}

describe('HTTP surface (Matrix error model over real HTTP)', () => {
  let app: NestFastifyApplication;
  let base: string;
  const logged: string[] = [];

  beforeAll(async () => {
    const logger = pino({ level: 'info' }, { write: (line: string) => void logged.push(line) });
    app = await NestFactory.create<NestFastifyApplication>(
      SurfaceTestModule,
      new FastifyAdapter(httpServerOptions({ maxRequestBodyBytes: 1024, trustProxy: false })),
      {
        logger: false,
        bodyParser: false,
      },
    );
    configureHttpSurface(app, logger, {
      maxRequestBodyBytes: 1024,
      logging: { logClientIps: false, logUserAgents: false },
      translateError: (error) =>
        error instanceof PoolExhausted
          ? new ServiceUnavailableException('The server is busy; try again shortly')
          : error,
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = await app.getUrl();
  });
  afterAll(() => app.close());

  const post = (path: string, body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
    fetch(`${base}${path}`, { method: 'POST', body, headers });
  const errcodeOf = async (res: Response) => ((await res.json()) as { errcode: string }).errcode;

  it('accepts well-formed JSON, with or without a JSON content type', async () => {
    const res = await post('/test/echo', '{"name":"ana","count":2}');
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ echoed: { name: 'ana', count: 2 } });
    const unlabelled = await post('/test/echo', '{"name":"ana"}', { 'content-type': 'text/plain' });
    expect(unlabelled.status).toBe(201);
  });

  it('answers a body that is not JSON with 400 M_NOT_JSON', async () => {
    const res = await post('/test/echo', '{"name":');
    expect(res.status).toBe(400);
    expect(await errcodeOf(res)).toBe('M_NOT_JSON');
  });

  it('answers a missing body where one is required with 400 M_NOT_JSON', async () => {
    const res = await post('/test/echo', '');
    expect(res.status).toBe(400);
    expect(await errcodeOf(res)).toBe('M_NOT_JSON');
  });

  it('answers JSON of the wrong shape with 400 M_BAD_JSON naming the field', async () => {
    const res = await post('/test/echo', '{"name":5}');
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errcode: string; error: string };
    expect(body.errcode).toBe('M_BAD_JSON');
    expect(body.error).toMatch(/^name: /);
    expect(await errcodeOf(await post('/test/echo', '[1,2]'))).toBe('M_BAD_JSON');
  });

  it('refuses prototype-poisoning keys with M_BAD_JSON', async () => {
    const res = await post('/test/raw', '{"__proto__":{"admin":true}}');
    expect(res.status).toBe(400);
    expect(await errcodeOf(res)).toBe('M_BAD_JSON');
  });

  it('answers a body over the limit with 413 M_TOO_LARGE', async () => {
    const res = await post('/test/raw', JSON.stringify({ big: 'x'.repeat(2000) }));
    expect(res.status).toBe(413);
    expect(await errcodeOf(res)).toBe('M_TOO_LARGE');
  });

  it('holds a route to its own body limit', async () => {
    const res = await post('/test/small', JSON.stringify({ pad: 'x'.repeat(64) }));
    expect([res.status, await errcodeOf(res)]).toEqual([413, 'M_TOO_LARGE']);
    expect((await post('/test/small', '{"ok":1}')).status).toBe(201);
  });

  it('refuses U+0000, lone surrogates and deep nesting in bodies with 400 M_BAD_JSON', async () => {
    for (const body of ['{"a":"\\u0000"}', '{"\\udc00":1}', '['.repeat(129) + ']'.repeat(129)]) {
      const res = await post('/test/raw', body);
      expect([res.status, await errcodeOf(res)]).toEqual([400, 'M_BAD_JSON']);
    }
    expect((await post('/test/raw', '['.repeat(128) + ']'.repeat(128))).status).toBe(201);
  });

  it('leaves strings to a route that checks them item by item', async () => {
    const res = await post('/test/items', '{"items":["fine","\\u0000"]}');
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ storable: [true, false] });
  });

  it('answers path parameters with U+0000, over 255 bytes or badly encoded with 400 M_INVALID_PARAM', async () => {
    for (const path of [
      '/test/things/a%00b',
      `/test/things/${'x'.repeat(256)}`,
      `/test/things/${'x'.repeat(2000)}`,
      '/test/things/%ED%A0%80',
      '/test/things/%zz',
      '/test/things/x?q=%00',
    ]) {
      const res = await fetch(`${base}${path}`);
      expect([path, res.status, await errcodeOf(res)]).toEqual([path, 400, 'M_INVALID_PARAM']);
    }
    expect(await (await fetch(`${base}/test/things/${'x'.repeat(255)}`)).json()).toEqual({ thingId: 'x'.repeat(255) });
  });

  it('passes MatrixError status and errcode through', async () => {
    const res = await fetch(`${base}/test/forbidden`);
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ errcode: 'M_FORBIDDEN', error: 'not for you' });
  });

  it('maps protocol errors to Matrix errors', async () => {
    const res = await fetch(`${base}/test/protocol`);
    expect(res.status).toBe(400);
    expect(await errcodeOf(res)).toBe('M_INVALID_PARAM');
  });

  it('turns anything unexpected into 500 M_UNKNOWN, with the detail in the log only', async () => {
    const res = await fetch(`${base}/test/boom`);
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ errcode: 'M_UNKNOWN', error: 'Internal server error' });
    expect(text).not.toContain('secret');
    expect(logged.some((line) => line.includes('secret database password'))).toBe(true);
  });

  it('answers a failure another library names as overload (every database connection busy) with 503 and Retry-After, wherever it is thrown', async () => {
    const res = await fetch(`${base}/test/busy`);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(await res.json()).toEqual({ errcode: 'M_UNKNOWN', error: 'The server is busy; try again shortly' });
  });

  it('tells unknown endpoints (404) from wrong methods (405)', async () => {
    const missing = await fetch(`${base}/test/nothing`);
    expect(missing.status).toBe(404);
    expect(await errcodeOf(missing)).toBe('M_UNRECOGNIZED');
    const wrongMethod = await fetch(`${base}/test/echo`);
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST');
    expect(await errcodeOf(wrongMethod)).toBe('M_UNRECOGNIZED');
  });

  it('answers unknown endpoints 404 M_UNRECOGNIZED (with CORS headers) whatever the body, without reading it', async () => {
    const image = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff]);
    for (const body of [image, Buffer.alloc(4096, 0xff), Buffer.from('{"not":')]) {
      const res = await fetch(`${base}/test/upload`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'image/png', origin: 'https://app.example' },
      });
      expect(res.status).toBe(404);
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
      expect(await errcodeOf(res)).toBe('M_UNRECOGNIZED');
    }
    // A known path with the wrong method is still told apart, body or not.
    const wrongMethod = await fetch(`${base}/test/forbidden`, {
      method: 'POST',
      body: image,
      headers: { 'content-type': 'image/png' },
    });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('GET, HEAD');
    // The connection stays usable for the next request.
    expect((await fetch(`${base}/test/forbidden`)).status).toBe(403);
  });

  it('logs a client that hangs up mid-body at info, not as a failed request', async () => {
    logged.length = 0;
    const { port } = new URL(base);
    await new Promise<void>((resolve) => {
      const socket = net.connect(Number(port), '127.0.0.1', () => {
        socket.write('POST /test/raw HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{"a":');
        setTimeout(() => socket.destroy(), 50);
      });
      socket.on('close', () => resolve());
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const lines = logged.map((line) => JSON.parse(line) as { level: number; msg: string });
    expect(lines.filter((line) => line.level >= 50)).toEqual([]);
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 30, msg: 'client closed the connection before the request was answered' }),
    );
  });

  it('logs requests without IP addresses, user agents or tokens', async () => {
    logged.length = 0;
    await fetch(`${base}/test/forbidden?access_token=sekrit&x=1`, { headers: { 'user-agent': 'SpyAgent/1.0' } });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const line = logged.find((l) => l.includes('/test/forbidden'));
    expect(line).toBeDefined();
    expect(line).not.toContain('127.0.0.1');
    expect(line).not.toContain('SpyAgent');
    expect(line).not.toContain('sekrit');
    expect(JSON.parse(line!)).toMatchObject({
      method: 'GET',
      status: 403,
      path: '/test/forbidden?access_token=%3Credacted%3E&x=1',
    });
  });
});

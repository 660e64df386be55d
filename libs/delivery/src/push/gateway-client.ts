import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Agent, request } from 'undici';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { publicOnlyLookup } from '@hearth/http';
import type { JsonObject } from '@hearth/protocol';

/** A gateway that has not answered by then is retried later. */
const GATEWAY_TIMEOUT_MS = 10_000;
/** A `rejected` list is a few push keys; more is not a gateway's answer. */
const MAX_ANSWER_BYTES = 64 * 1024;

/** What a gateway said: accepted (with the push keys it rejected), or refused this request for good. */
export type GatewayAnswer =
  | { readonly kind: 'accepted'; readonly rejected: readonly string[] }
  | { readonly kind: 'refused'; readonly status: number };

/** A failure worth retrying: the gateway is down, slow, or answered 5xx, 408 or 429. */
export class GatewayUnavailable extends Error {}

/**
 * Posts to push gateways (spec Push Gateway API `POST /_matrix/push/v1/notify`). Connections go
 * only to public addresses unless `push.allow_private_gateways`: the address a host name resolves
 * to is checked when connecting, so DNS cannot point the server into its own network.
 * Redirects are not followed.
 */
@Injectable()
export class GatewayClient implements OnModuleDestroy {
  private readonly agent: Agent;

  constructor(@Inject(HEARTH_CONFIG) config: HearthConfig) {
    const allowPrivate = config.push.allowPrivateGateways;
    this.agent = new Agent({
      connect: allowPrivate ? {} : { lookup: publicOnlyLookup },
      headersTimeout: GATEWAY_TIMEOUT_MS,
      bodyTimeout: GATEWAY_TIMEOUT_MS,
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.agent.close();
  }

  async notify(url: string, body: JsonObject): Promise<GatewayAnswer> {
    let response: Awaited<ReturnType<typeof request>>;
    try {
      response = await request(url, {
        dispatcher: this.agent,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(GATEWAY_TIMEOUT_MS),
      });
    } catch (error) {
      throw new GatewayUnavailable(error instanceof Error ? error.message : String(error));
    }
    const { statusCode } = response;
    if (statusCode >= 500 || statusCode === 408 || statusCode === 429) {
      await response.body.dump();
      throw new GatewayUnavailable(`gateway answered ${statusCode}`);
    }
    if (statusCode !== 200) {
      await response.body.dump();
      return { kind: 'refused', status: statusCode };
    }
    return { kind: 'accepted', rejected: rejectedKeys(await readLimited(response.body, MAX_ANSWER_BYTES)) };
  }
}

/** Spec: `rejected` lists push keys; a 200 without a readable list rejected none. */
function rejectedKeys(text: string): string[] {
  try {
    const parsed: unknown = JSON.parse(text);
    const rejected = (parsed as { rejected?: unknown } | null)?.rejected;
    return Array.isArray(rejected) ? rejected.filter((key): key is string => typeof key === 'string') : [];
  } catch {
    return [];
  }
}

async function readLimited(body: AsyncIterable<Buffer>, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > limit) throw new GatewayUnavailable('gateway answer too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

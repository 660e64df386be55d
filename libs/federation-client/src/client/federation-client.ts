import type { Readable } from 'node:stream';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import sjson from 'secure-json-parse';
import { Pool } from 'undici';
import type { z } from 'zod';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { MatrixErrorAnswer, signFederationRequest, type JsonValue } from '@hearth/protocol';
import { ServerSigner } from '@hearth/signing';
import { FederationPolicy } from '../policy/federation-policy';
import { LiveResolverNetwork } from '../resolution/live-network';
import type { ResolvedServer } from '../resolution/resolved-server';
import { ServerResolver } from '../resolution/server-resolver';
import { FederationAnswerError, FederationRequestError, FederationUnreachableError } from './federation-errors';

export interface FederationCall {
  readonly method: 'GET' | 'PUT' | 'POST';
  /** Path below the server root, e.g. `/_matrix/federation/v1/query/profile`, already percent-encoded. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string | readonly string[] | undefined>>;
  readonly body?: JsonValue;
  /** Key fetches go unsigned: the peer cannot check our signature before it has our keys either. */
  readonly unsigned?: boolean;
  /** Shorter than `federation.request_timeout_seconds`, for callers with a client waiting (key queries). */
  readonly timeoutMs?: number;
}

/** An answer whose body is still to be read. */
export interface StreamedAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Readable;
}

const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;
const CONNECTIONS_PER_DESTINATION = 8;

/**
 * Requests to other homeservers: resolved as the spec says, over TLS with the right SNI and
 * Host, signed with `X-Matrix`, on one keep-alive pool per destination.
 */
@Injectable()
export class FederationClient implements OnModuleDestroy {
  private readonly network: LiveResolverNetwork;
  private readonly resolver: ServerResolver;
  private readonly pools = new Map<string, Pool>();

  constructor(
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
    private readonly signer: ServerSigner,
    private readonly policy: FederationPolicy,
  ) {
    this.network = new LiveResolverNetwork(config.federation.verifyTls);
    this.resolver = new ServerResolver(this.network);
  }

  /**
   * The parsed JSON answer; throws FederationRequestError for error statuses, FederationUnreachableError
   * otherwise. Given the answer's wire schema, the answer as parsed by it, or a FederationAnswerError.
   */
  async request(destination: string, call: FederationCall): Promise<unknown>;
  async request<Answer extends z.ZodType>(
    destination: string,
    call: FederationCall,
    answer: Answer,
  ): Promise<z.output<Answer>>;
  async request(destination: string, call: FederationCall, answer?: z.ZodType): Promise<unknown> {
    const body = await this.send(destination, call);
    if (!answer) return body;
    const parsed = answer.safeParse(body);
    if (!parsed.success) throw new FederationAnswerError(destination, call.path, describeIssues(parsed.error));
    return parsed.data;
  }

  /**
   * A signed request whose answer is handed over as a stream, whatever its status, for bodies too
   * large to hold (media). The caller must consume or dump the body. `timeoutMs` bounds the
   * wait for the status line, `idleTimeoutMs` any pause between body bytes; throws
   * FederationUnreachableError when no answer came.
   */
  async stream(
    destination: string,
    call: FederationCall & { readonly accept: string; readonly idleTimeoutMs: number },
  ): Promise<StreamedAnswer> {
    const { target, uri, headers } = await this.prepare(destination, call);
    headers.accept = call.accept;
    try {
      const response = await this.poolFor(target).request({
        method: call.method,
        path: uri,
        headers,
        headersTimeout: call.timeoutMs ?? this.config.federation.requestTimeoutMs,
        bodyTimeout: call.idleTimeoutMs,
      });
      return { status: response.statusCode, headers: response.headers, body: response.body };
    } catch (error) {
      this.resolver.forget(destination);
      throw new FederationUnreachableError(destination, (error as Error).message);
    }
  }

  private async prepare(
    destination: string,
    call: FederationCall,
  ): Promise<{ target: ResolvedServer; uri: string; headers: Record<string, string> }> {
    if (!this.policy.allows(destination))
      throw new FederationUnreachableError(destination, 'not allowed by the federation policy');
    const target = await this.resolve(destination);
    const uri = call.path + queryString(call.query);
    const headers: Record<string, string> = { host: target.hostHeader, accept: 'application/json' };
    if (!call.unsigned) {
      headers.authorization = signFederationRequest(
        {
          method: call.method,
          uri,
          origin: this.config.serverName,
          destination,
          ...(call.body !== undefined ? { content: call.body } : {}),
        },
        this.signer.key,
      );
    }
    if (call.body !== undefined) headers['content-type'] = 'application/json';
    return { target, uri, headers };
  }

  private async send(destination: string, call: FederationCall): Promise<unknown> {
    const { target, uri, headers } = await this.prepare(destination, call);
    let status: number;
    let text: string;
    try {
      const response = await this.poolFor(target).request({
        method: call.method,
        path: uri,
        headers,
        ...(call.body !== undefined ? { body: JSON.stringify(call.body) } : {}),
        signal: AbortSignal.timeout(call.timeoutMs ?? this.config.federation.requestTimeoutMs),
      });
      status = response.statusCode;
      text = await readBody(response.body);
    } catch (error) {
      this.resolver.forget(destination);
      throw new FederationUnreachableError(destination, (error as Error).message);
    }
    const body = parseJson(text);
    if (status >= 400) {
      const error = MatrixErrorAnswer.safeParse(body).data;
      throw new FederationRequestError(destination, status, error?.errcode, error?.error ?? `HTTP ${status}`);
    }
    if (body === undefined)
      throw new FederationUnreachableError(destination, `answered ${status} without a JSON object`);
    return body;
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.allSettled([...this.pools.values()].map((pool) => pool.close()));
    await this.network.close();
  }

  private async resolve(destination: string): Promise<ResolvedServer> {
    try {
      return await this.resolver.resolve(destination);
    } catch (error) {
      throw new FederationUnreachableError(destination, (error as Error).message);
    }
  }

  private poolFor(target: ResolvedServer): Pool {
    const key = `${target.host}|${target.port}|${target.tlsName ?? ''}`;
    let pool = this.pools.get(key);
    if (!pool) {
      const host = target.host.includes(':') ? `[${target.host}]` : target.host;
      pool = new Pool(`https://${host}:${target.port}`, {
        connections: CONNECTIONS_PER_DESTINATION,
        connect: {
          rejectUnauthorized: this.config.federation.verifyTls,
          ...(target.tlsName ? { servername: target.tlsName } : {}),
        },
      });
      this.pools.set(key, pool);
    }
    return pool;
  }
}

/** The first few problems, with where they are: enough for a log line, never the whole body. */
function describeIssues(error: z.ZodError): string {
  const issues = error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'the body'}: ${issue.message}`);
  return (issues.join('; ') + (error.issues.length > 3 ? ` (and ${error.issues.length - 3} more)` : '')).slice(0, 500);
}

function queryString(query: FederationCall['query']): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined) continue;
    for (const item of typeof value === 'string' ? [value] : value) params.append(name, item);
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

async function readBody(body: AsyncIterable<Buffer>): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > MAX_RESPONSE_BYTES) throw new Error(`response larger than ${MAX_RESPONSE_BYTES} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = sjson.parse(text, undefined, { protoAction: 'remove', constructorAction: 'remove' });
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

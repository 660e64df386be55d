import { Agent, fetch } from 'undici';
import { TestClient, type LooseBody, type MatrixResponse } from '@hearth/testing';

/**
 * A TestClient whose connections leave from `localAddress` (any of 127.0.0.0/8 on loopback) and
 * whose requests carry `userAgent`: a device on a network of its own, as the server would see it.
 */
export class AddressedClient extends TestClient {
  private readonly agent: Agent;

  constructor(
    baseUrl: string,
    readonly localAddress: string,
    readonly userAgent: string,
    accessToken?: string,
  ) {
    super(baseUrl, accessToken);
    this.agent = new Agent({ localAddress });
  }

  /** The same device (address and user agent) signed in with `accessToken`. */
  withToken(accessToken: string): AddressedClient {
    return new AddressedClient(this.baseUrl, this.localAddress, this.userAgent, accessToken);
  }

  override async request<T = LooseBody>(
    method: string,
    path: string,
    body?: unknown,
    token = this.accessToken,
  ): Promise<MatrixResponse<T>> {
    const headers: Record<string, string> = { 'user-agent': this.userAgent };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (token) headers.authorization = `Bearer ${token}`;
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      dispatcher: this.agent,
    });
    const text = await res.text();
    return {
      status: res.status,
      body: (text ? JSON.parse(text) : {}) as T,
      headers: res.headers as unknown as Headers,
    };
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}

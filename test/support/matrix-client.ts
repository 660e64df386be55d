/** Test bodies are read loosely: assertions, not types, check their shape. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type LooseBody = Record<string, any>;

/** A thin JSON-over-HTTP client for tests: status and body, nothing hidden. */
export interface MatrixResponse<T = LooseBody> {
  readonly status: number;
  readonly body: T;
  readonly headers: Headers;
}

export class TestClient {
  constructor(
    readonly baseUrl: string,
    public accessToken?: string,
  ) {}

  async request<T = LooseBody>(
    method: string,
    path: string,
    body?: unknown,
    token = this.accessToken,
  ): Promise<MatrixResponse<T>> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (token) headers.authorization = `Bearer ${token}`;
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as T, headers: res.headers };
  }

  get<T = LooseBody>(path: string, token?: string) {
    return this.request<T>('GET', path, undefined, token ?? this.accessToken);
  }

  post<T = LooseBody>(path: string, body: unknown = {}, token?: string) {
    return this.request<T>('POST', path, body, token ?? this.accessToken);
  }

  put<T = LooseBody>(path: string, body: unknown = {}, token?: string) {
    return this.request<T>('PUT', path, body, token ?? this.accessToken);
  }

  delete<T = LooseBody>(path: string, body?: unknown, token?: string) {
    return this.request<T>('DELETE', path, body, token ?? this.accessToken);
  }

  /** Registration on a server in `open` mode: the dummy stage after the first 401. */
  async registerOpen(username: string, password: string, extra: Record<string, unknown> = {}) {
    const first = await this.post('/_matrix/client/v3/register', { username, password, ...extra });
    if (first.status !== 401) return first;
    return this.post('/_matrix/client/v3/register', {
      username,
      password,
      ...extra,
      auth: { type: 'm.login.dummy', session: first.body.session },
    });
  }

  async loginPassword(user: string, password: string, extra: Record<string, unknown> = {}) {
    return this.post('/_matrix/client/v3/login', {
      type: 'm.login.password',
      identifier: { type: 'm.id.user', user },
      password,
      ...extra,
    });
  }
}

/** A client signed in as a newly registered account, on a server in `open` registration mode. */
export async function signUp(baseUrl: string, username: string, password = 'pw'): Promise<TestClient> {
  const res = await new TestClient(baseUrl).registerOpen(username, password);
  if (res.status !== 200) throw new Error(`registering ${username} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return new TestClient(baseUrl, res.body.access_token as string);
}

import * as net from 'node:net';

/**
 * A TCP relay in front of a server's federation listener (or a database): the server's name
 * points at the relay, so that a test can cut every connection to the server (a netsplit) and
 * restore them.
 */
export class NetsplitProxy {
  private readonly sockets = new Set<net.Socket>();
  private cut = false;
  private listening = true;

  private constructor(
    private readonly server: net.Server,
    private readonly port: number,
  ) {}

  static async start(port: number, targetPort: number): Promise<NetsplitProxy> {
    const server = net.createServer();
    const proxy = new NetsplitProxy(server, port);
    server.on('connection', (client) => proxy.relay(client, targetPort));
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    return proxy;
  }

  /** Drops every open connection and closes new ones as soon as they are accepted, until `heal`. */
  split(): void {
    this.cut = true;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  /** Like `split`, but stops listening too, so that new connections are refused (ECONNREFUSED), as with a stopped server. */
  async refuse(): Promise<void> {
    this.split();
    if (!this.listening) return;
    this.listening = false;
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Relays again (after `refuse`, listening resumes within moments). */
  heal(): void {
    this.cut = false;
    if (this.listening) return;
    this.listening = true;
    this.server.listen(this.port, '127.0.0.1');
  }

  async close(): Promise<void> {
    this.split();
    if (!this.listening) return;
    this.listening = false;
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private relay(client: net.Socket, targetPort: number): void {
    if (this.cut) {
      client.destroy();
      return;
    }
    const upstream = net.connect(targetPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        this.sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  }
}

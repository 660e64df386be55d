import * as net from 'node:net';

/**
 * A TCP relay in front of a server's federation listener: the server's name points at the relay,
 * so that a test can cut every connection to the server (a netsplit) and restore them.
 */
export class NetsplitProxy {
  private readonly sockets = new Set<net.Socket>();
  private cut = false;

  private constructor(private readonly server: net.Server) {}

  static async start(port: number, targetPort: number): Promise<NetsplitProxy> {
    const server = net.createServer();
    const proxy = new NetsplitProxy(server);
    server.on('connection', (client) => proxy.relay(client, targetPort));
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    return proxy;
  }

  /** Drops every open connection and refuses new ones until `heal`. */
  split(): void {
    this.cut = true;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  heal(): void {
    this.cut = false;
  }

  async close(): Promise<void> {
    this.split();
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

import net from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A TCP proxy a test controls, e.g. between a gateway and Postgres: `cut()` drops every connection and
 * refuses new ones (the database is unreachable) until `restore()`. Listens on 127.0.0.1, port 0.
 */
export class TcpProxy {
  private readonly sockets = new Set<net.Socket>();
  private refusing = false;
  private swallowing = false;
  private readonly server: net.Server;
  port = 0;

  private constructor(targetHost: string, targetPort: number) {
    this.server = net.createServer((client) => this.accept(client, targetHost, targetPort));
  }

  static async start(targetHost: string, targetPort: number): Promise<TcpProxy> {
    const proxy = new TcpProxy(targetHost, targetPort);
    await new Promise<void>((resolve, reject) => {
      proxy.server.once('error', reject);
      proxy.server.listen(0, '127.0.0.1', () => resolve());
    });
    proxy.port = (proxy.server.address() as AddressInfo).port;
    return proxy;
  }

  /** `postgresql://…@127.0.0.1:5432/db` → the same URL through this proxy. */
  url(target: string): string {
    const u = new URL(target);
    u.hostname = '127.0.0.1';
    u.port = String(this.port);
    return u.toString();
  }

  get connections(): number {
    return this.sockets.size;
  }

  /** Resets every open connection and every new one until restore(). */
  cut(): void {
    this.refusing = true;
    for (const s of this.sockets) s.resetAndDestroy();
    this.sockets.clear();
  }

  /**
   * A dead network path: connections stay open, but nothing gets through either way (new ones are
   * accepted and ignored) until restore(); connections black-holed meanwhile stay dead.
   */
  blackhole(): void {
    this.swallowing = true;
    for (const s of this.sockets) {
      s.unpipe();
      s.removeAllListeners('data');
      s.on('data', () => undefined);
    }
  }

  restore(): void {
    this.refusing = false;
    this.swallowing = false;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: net.Socket, host: string, port: number): void {
    if (this.refusing) {
      client.resetAndDestroy();
      return;
    }
    if (this.swallowing) {
      this.sockets.add(client);
      client.on('data', () => undefined);
      client.on('error', () => this.sockets.delete(client));
      client.on('close', () => this.sockets.delete(client));
      return;
    }
    const upstream = net.connect(port, host);
    this.track(client, upstream);
    this.track(upstream, client);
    client.pipe(upstream);
    upstream.pipe(client);
  }

  private track(socket: net.Socket, peer: net.Socket): void {
    this.sockets.add(socket);
    const done = (): void => {
      this.sockets.delete(socket);
      if (!peer.destroyed) peer.destroy();
    };
    socket.on('error', done);
    socket.on('close', done);
  }
}

import type { INestApplicationContext } from '@nestjs/common';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import { createClient } from 'redis';
import type { Server, ServerOptions } from 'socket.io';
import { LeanIoAdapter } from './lean-io.adapter.js';

/**
 * Socket.IO over Redis Streams (REDIS_URL): several gateway processes behind a load balancer share
 * rooms, server-side events and acknowledgements.
 */
export class RedisIoAdapter extends LeanIoAdapter {
  private client: ReturnType<typeof createClient> | undefined;
  private adapterFactory: ReturnType<typeof createAdapter> | undefined;

  constructor(app: INestApplicationContext, private readonly url: string, private readonly prefix: string) {
    super(app);
  }

  async connect(): Promise<void> {
    const client = createClient({ url: this.url });
    // Reconnects on its own; without a listener an outage would crash the process.
    client.on('error', () => undefined);
    await client.connect();
    this.client = client;
    this.adapterFactory = createAdapter(client, {
      streamName: `${this.prefix}:socket.io`,
      channelPrefix: `${this.prefix}:socket.io`,
      sessionKeyPrefix: `${this.prefix}:socket.io:session:`,
    });
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const server = super.createIOServer(port, options) as Server;
    if (this.adapterFactory) server.adapter(this.adapterFactory);
    return server;
  }

  async disconnect(): Promise<void> {
    await this.client?.quit().catch(() => undefined);
  }

  get ready(): boolean {
    return this.client?.isReady ?? false;
  }
}

import type { Server } from 'node:http';
import { Logger as NestLogger } from '@nestjs/common';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { loadKeyring } from './auth/keyring.js';
import type { AppConfig } from './config/app-config.js';
import type { ConnectTarget } from './config/config.module.js';
import { databaseTarget } from './database/database-target.js';
import { describeTarget, openAdapter } from './database/driver-adapters.js';
import { migrate, migrateInWorker } from './database/migrator.js';
import { AppModule } from './app.module.js';
import { LeanIoAdapter } from './chat/lean-io.adapter.js';
import { RedisIoAdapter } from './chat/redis-io.adapter.js';
import { ReadinessRegistry } from './health/readiness.registry.js';

export interface Gateway {
  app: INestApplication;
  /** Base URL the HTTP server listens on (with the real port when PORT=0). */
  url: string;
  connect: ConnectTarget;
  close(): Promise<void>;
}

export interface GatewayOptions {
  /** Start the in-process emulator (default: when CONNECT_MODE=emulator and no CONNECT_ENDPOINT). */
  startEmulator?: (config: AppConfig) => Promise<{ url: string; close(): Promise<void> }>;
}

/** validate config → open and migrate the database → start the emulator if configured → Nest app → listen. */
export async function startGateway(config: AppConfig, options: GatewayOptions = {}): Promise<Gateway> {
  const boot = new NestLogger('Bootstrap');
  const keyring = loadKeyring(config.security);
  const target = databaseTarget(config);
  const database = await openAdapter(target, config.database.poolSize, { queryTimeoutMs: 60_000 });
  if (config.database.migrateOnStart) {
    // The schema engine holds Prisma's session-level migration lock on its connection until that
    // connection closes: on Postgres it runs in a worker with a connection of its own, which also
    // takes the engine's memory away afterwards.
    const applied = target.kind === 'postgres' ? await migrateInWorker(target.url) : await migrate(database.factory);
    if (applied.length) boot.log(`migrations applied to ${describeTarget(target)}: ${applied.join(', ')}`);
  }

  let emulator: { url: string; close(): Promise<void> } | undefined;
  const wantsEmulator = config.connect.mode === 'emulator' && !config.connect.endpoint;
  if (wantsEmulator && options.startEmulator) emulator = await options.startEmulator(config);
  const connect: ConnectTarget = {
    endpoint: config.connect.endpoint ?? emulator?.url,
    emulator: config.connect.mode === 'emulator',
  };

  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot({ config, keyring, database, connect }), {
    bufferLogs: true,
  });
  app.useLogger(app.get(Logger));
  app.disable('x-powered-by');
  if (config.http.trustProxy !== undefined) app.set('trust proxy', config.http.trustProxy);
  app.useBodyParser('json', { limit: '256kb' });
  app.enableShutdownHooks();
  let redisIo: RedisIoAdapter | undefined;
  if (config.redisUrl) {
    redisIo = new RedisIoAdapter(app, config.redisUrl, config.redisPrefix);
    await redisIo.connect();
    app.useWebSocketAdapter(redisIo);
    const io = redisIo;
    app.get(ReadinessRegistry).register('redis', async () => {
      if (!io.ready) throw new Error('Redis is not connected');
      return true;
    });
  } else {
    app.useWebSocketAdapter(new LeanIoAdapter(app));
  }
  setUpOpenApi(app);

  await app.init();
  await listen(app.getHttpServer() as Server, config.http.port, config.http.host);
  const address = app.getHttpServer().address() as { port: number };
  const url = `http://127.0.0.1:${address.port}`;
  app.get(Logger).log(`gateway listening on ${config.http.host}:${address.port} (${describeTarget(target)})`, 'Bootstrap');
  if (keyring.adminTokenFile) app.get(Logger).log(`admin token: see ${keyring.adminTokenFile}`, 'Bootstrap');

  let closed = false;
  return {
    app,
    url,
    connect,
    close: async () => {
      if (closed) return;
      closed = true;
      await app.close();
      await redisIo?.disconnect();
      await emulator?.close();
    },
  };
}

function setUpOpenApi(app: INestApplication): void {
  const doc = new DocumentBuilder()
    .setTitle('Amazon Connect chat gateway')
    .setDescription('Widget API (session tokens), staff API (staff tokens) and operations endpoints.')
    .setVersion('1')
    .addBearerAuth()
    .addApiKey({ type: 'apiKey', in: 'header', name: 'x-frontend-key' }, 'frontendKey')
    .build();
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, doc), { jsonDocumentUrl: 'docs/openapi.json' });
}

/**
 * Listens with a deep accept queue: when thousands of browsers reconnect at once (a gateway restart, a
 * network blip) Node's default of 511 overflows and the kernel drops their handshakes, which the
 * clients only retry after one, three, seven… seconds. The kernel caps it at net.core.somaxconn.
 */
const LISTEN_BACKLOG = 8192;

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host, backlog: LISTEN_BACKLOG }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}


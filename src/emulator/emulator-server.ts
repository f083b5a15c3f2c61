import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiDispatcher, operationFor } from './api-dispatch.js';
import type { PublicBases } from './api-types.js';
import { ATTACHMENT_PATH, attachmentApi, serveAttachmentUrl } from './attachment-api.js';
import { ChatEngine } from './chat-engine.js';
import { connectApi } from './connect-api.js';
import { CONSOLE_HTML } from './console-page.js';
import { ContactStore } from './contact-store.js';
import { handleControl } from './control-api.js';
import type { EmulatorConfig } from './emulator-config.js';
import { defaultConfig } from './emulator-config.js';
import { answerPreflight, sendJson, setCors } from './http-util.js';
import { createLogger } from './logger.js';
import { participantApi } from './participant-api.js';
import { RateLimiter } from './rate-limiter.js';
import { TokenCodec } from './token-codec.js';
import { WebSocketHub } from './websocket-hub.js';

export interface EmulatorOptions { host?: string; port?: number; logLevel?: string }
export interface RunningEmulator { url: string; port: number; close(): Promise<void> }

/** Extra handles for tests and benchmarks; the gateway only uses `url` and `close()`. */
export interface EmulatorHandle extends RunningEmulator {
  store: ContactStore;
  config(): EmulatorConfig;
  stats(): Record<string, number>;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** A local Amazon Connect chat: Connect + participant APIs, participant WebSockets, control API and agent console. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<EmulatorHandle> {
  const log = createLogger(options.logLevel);
  let config = defaultConfig();
  const getConfig = () => config;
  const store = new ContactStore();
  const tokens = new TokenCodec();
  const limiter = new RateLimiter((operation) => config.rateLimits[operation as keyof EmulatorConfig['rateLimits']]);
  let port = 0;

  const hub: WebSocketHub = new WebSocketHub(store, tokens, getConfig, { onSubscribed: (p, s) => engine.onSubscribed(p, s) });
  const engine = new ChatEngine(store, hub, getConfig);
  // ChatJS accepts only wss:// or ws://127.0.0.1:<port>; other hosts get the Host they called us on.
  const bases: PublicBases = {
    websocket: (host) => config.websocketBaseUrl ?? (isLoopback(host) ? `ws://127.0.0.1:${port}` : `ws://${host}`),
    http: (host) => (isLoopback(host) ? `http://127.0.0.1:${port}` : `http://${host}`),
  };
  const attachmentDeps = { store, engine, tokens, config: getConfig, bases };
  const dispatcher = new ApiDispatcher({
    store,
    tokens,
    limiter,
    config: getConfig,
    log,
    handlers: {
      ...connectApi({ store, engine, tokens, config: getConfig }),
      ...participantApi({ engine, tokens, config: getConfig, bases }),
      ...attachmentApi(attachmentDeps),
    },
  });
  const stats = () => ({
    contacts: store.chatsByContact.size,
    activeChats: store.activeChats.size,
    participants: store.participants.size,
    sockets: hub.size,
    delayedRequests: dispatcher.delayed,
    throttledRequests: dispatcher.throttled,
  });
  const reset = () => {
    hub.closeAll();
    store.clear();
    limiter.reset();
    dispatcher.throttled = 0;
    tokens.rotate();
    config = defaultConfig();
  };
  const controlDeps = { store, engine, hub, getConfig, setConfig: (next: EmulatorConfig) => (config = next), reset, stats };

  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const method = req.method ?? 'GET';
    const fail = (err: unknown) => {
      log.error(`${method} ${path}: ${(err as Error).stack ?? String(err)}`);
      if (!res.headersSent) sendJson(res, 500, { error: { code: 'INTERNAL', message: 'internal error' } });
      else res.destroy();
    };
    const control = path.startsWith('/emulator') && !path.startsWith(ATTACHMENT_PATH);
    // The control API has no authentication: web pages of other origins must not drive it from a browser.
    if (control && isForeignOrigin(req.headers.origin, req.headers.host)) {
      return sendJson(res, 403, { error: { code: 'FORBIDDEN', message: 'the control API answers only its own origin' } });
    }
    if (method === 'OPTIONS') return answerPreflight(req, res);
    const operation = operationFor(method, path);
    if (operation) return void dispatcher.handle(operation, req, res).catch(fail);
    if (!control) setCors(req, res);
    if (path.startsWith(ATTACHMENT_PATH)) {
      return void serveAttachmentUrl(attachmentDeps, req, res, decodeURIComponent(path.slice(ATTACHMENT_PATH.length))).catch(fail);
    }
    if (method === 'GET' && (path === '/emulator' || path === '/emulator/' || path === '/')) {
      if (path !== '/emulator/') return void res.writeHead(302, { Location: '/emulator/' }).end();
      return void res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' }).end(CONSOLE_HTML);
    }
    if (path === '/favicon.ico') return void res.writeHead(204).end();
    if (path.startsWith('/emulator/')) return void handleControl(controlDeps, req, res, path).catch(fail);
    if (path.startsWith('/participant/') || path.startsWith('/contact/')) {
      return sendJson(res, 404, { message: `No operation at ${method} ${path}` }, { 'x-amzn-ErrorType': 'UnknownOperationException' });
    }
    sendJson(res, 404, { error: { code: 'NOT_FOUND', message: 'not found' } });
  });
  server.on('upgrade', (req, socket, head) => hub.handleUpgrade(req, socket, head));
  server.on('clientError', (_err, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 4100, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  const sweeper = setInterval(() => engine.sweep(), 1000);
  sweeper.unref();
  log.info(`Connect emulator listening on ${options.host ?? '127.0.0.1'}:${port} (agent console: http://127.0.0.1:${port}/emulator/)`);

  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    store,
    config: getConfig,
    stats,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        clearInterval(sweeper);
        hub.closeAll();
        store.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}

function isForeignOrigin(origin: string | undefined, host: string | undefined): boolean {
  if (!origin) return false;
  try {
    return new URL(origin).host !== host;
  } catch {
    return true;
  }
}

function isLoopback(host: string | undefined): boolean {
  if (!host) return true;
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0]!;
  return LOOPBACK.has(name);
}

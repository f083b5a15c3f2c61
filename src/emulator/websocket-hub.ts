import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import type { Chat, ContactStore, Participant } from './contact-store.js';
import type { EmulatorConfig } from './emulator-config.js';
import type { TokenCodec } from './token-codec.js';

export const WEBSOCKET_PATH = '/ws/chat';

/** A participant socket with the little state the protocol needs. */
export class EmulatorSocket extends WebSocket {
  participant: Participant | null = null;
  subscribed = false;
  /** Dropped "silently": kept open but deaf and mute, like a dead network path. */
  silent = false;
  lifetime: ReturnType<typeof setTimeout> | null = null;
}

export interface HubHooks {
  /** A socket of `participant` has just subscribed to aws/chat. */
  onSubscribed(participant: Participant, socket: EmulatorSocket): void;
}

const HEARTBEAT_REPLY = JSON.stringify({ topic: 'aws/heartbeat' });
const PING_REPLY = JSON.stringify({ topic: 'aws/ping', statusCode: 200, statusContent: 'OK' });

/** The participant WebSocket protocol: subscribe, heartbeat, deep heartbeat and `aws/chat` fan-out. */
export class WebSocketHub {
  private readonly server = new WebSocketServer({
    noServer: true,
    WebSocket: EmulatorSocket,
    clientTracking: false,
    perMessageDeflate: false,
    maxPayload: 64 * 1024,
    autoPong: false,
  });
  private readonly sockets = new Set<EmulatorSocket>();

  constructor(
    private readonly store: ContactStore,
    private readonly tokens: TokenCodec,
    private readonly config: () => EmulatorConfig,
    private readonly hooks: HubHooks,
  ) {}

  get size(): number {
    return this.sockets.size;
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', 'http://emulator');
    if (url.pathname !== WEBSOCKET_PATH) return rejectUpgrade(socket, 404, 'Not Found');
    const claims = this.tokens.verify(url.searchParams.get('token') ?? undefined, 'w');
    const participant = claims && this.store.participants.get(claims.subject);
    if (!participant || participant.left || participant.chat.status !== 'ACTIVE') return rejectUpgrade(socket, 403, 'Forbidden');
    if ((participant.sockets?.length ?? 0) >= this.config().maxSocketsPerParticipant) {
      return rejectUpgrade(socket, 429, 'Too Many Requests');
    }
    this.server.handleUpgrade(req, socket, head, (ws) => this.attach(ws as EmulatorSocket, participant));
  }

  private attach(ws: EmulatorSocket, participant: Participant): void {
    ws.participant = participant;
    (participant.sockets ??= []).push(ws);
    this.sockets.add(ws);
    ws.lifetime = setTimeout(() => ws.close(1001, 'Going away'), this.config().websocketLifetimeSeconds * 1000);
    ws.lifetime.unref();
    ws.on('message', (data, isBinary) => {
      if (!ws.silent && !isBinary) this.onFrame(ws, data.toString());
    });
    ws.on('ping', (data) => {
      if (!ws.silent) ws.pong(data);
    });
    ws.on('error', () => ws.terminate());
    ws.on('close', () => this.detach(ws));
  }

  private detach(ws: EmulatorSocket): void {
    if (ws.lifetime) clearTimeout(ws.lifetime);
    this.sockets.delete(ws);
    const list = ws.participant?.sockets;
    if (list) {
      const index = list.indexOf(ws);
      if (index >= 0) list.splice(index, 1);
      if (!list.length) ws.participant!.sockets = null;
    }
  }

  private onFrame(ws: EmulatorSocket, text: string): void {
    const frame = parseLeniently(text);
    const topic = frame?.topic;
    if (topic === 'aws/heartbeat') return ws.send(HEARTBEAT_REPLY);
    if (topic === 'aws/ping') return ws.send(PING_REPLY);
    if (topic === 'aws/subscribe') {
      const topics = (frame!.content as { topics?: unknown } | undefined)?.topics;
      if (!Array.isArray(topics) || !topics.every((t) => typeof t === 'string')) {
        return ws.send(JSON.stringify({ topic: 'aws/subscribe', content: { status: 'failure' } }));
      }
      const wasSubscribed = ws.subscribed;
      ws.subscribed = topics.includes('aws/chat');
      ws.send(JSON.stringify({ topic: 'aws/subscribe', content: { status: 'success', topics } }));
      if (ws.subscribed && !wasSubscribed) this.hooks.onSubscribed(ws.participant!, ws);
      return;
    }
    if (topic === 'aws/unsubscribe') {
      ws.subscribed = false;
      return ws.send(JSON.stringify({ topic: 'aws/unsubscribe', content: { status: 'success' } }));
    }
  }

  /** Every subscribed socket of every participant of the chat gets the frame, senders included. */
  deliver(chat: Chat, frame: string): void {
    for (const participant of chat.participants) {
      const sockets = participant.sockets;
      if (!sockets) continue;
      for (const socket of sockets as EmulatorSocket[]) {
        if (socket.subscribed && !socket.silent && socket.readyState === WebSocket.OPEN) socket.send(frame);
      }
    }
  }

  sendTo(socket: EmulatorSocket, frame: string): void {
    if (!socket.silent && socket.readyState === WebSocket.OPEN) socket.send(frame);
  }

  /** `close` ends sockets abruptly (no close frame); `silent` keeps them open but unresponsive. Returns how many. */
  drop(mode: 'close' | 'silent', chat?: Chat): number {
    const targets = chat
      ? chat.participants.flatMap((p) => (p.sockets ?? []) as EmulatorSocket[])
      : [...this.sockets];
    for (const socket of targets) {
      if (mode === 'close') socket.terminate();
      else socket.silent = true;
    }
    return targets.length;
  }

  closeAll(): void {
    for (const socket of [...this.sockets]) socket.terminate();
  }
}

function rejectUpgrade(socket: Duplex, status: number, text: string): void {
  const body = JSON.stringify({ message: status === 403 ? 'Forbidden' : text });
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/** Takes the first complete JSON object in a frame: some clients append junk after it (the iOS SDK a stray `)`). */
export function parseLeniently(text: string): Record<string, unknown> | undefined {
  const start = text.indexOf('{');
  if (start < 0) return undefined;
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) {
      try {
        const value: unknown = JSON.parse(text.slice(start, i + 1));
        return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

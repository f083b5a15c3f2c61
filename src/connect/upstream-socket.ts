import WebSocket from 'ws';
import { parseConnectItem } from './connect-item.js';
import type { ConnectItem } from './connect-item.js';

export interface UpstreamSocketEvents {
  onItem(item: ConnectItem): void;
  /** The socket is gone (closed by either side, errored, or declared dead by the keepalive). */
  onClosed(reason: string): void;
}

export interface UpstreamSocketOptions {
  heartbeatMs?: number;
  subscribeTimeoutMs?: number;
  subscribeAttempts?: number;
  openTimeoutMs?: number;
}

const SUBSCRIBE = JSON.stringify({ topic: 'aws/subscribe', content: { topics: ['aws/chat'] } });
const HEARTBEAT = JSON.stringify({ topic: 'aws/heartbeat' });
const PING = JSON.stringify({ topic: 'aws/ping' });

/**
 * One participant WebSocket to Connect (connect-protocol.md §3): subscribe, then heartbeat and deep
 * ping every 10 s; a heartbeat unanswered when the next is due means the path is dead.
 * The URL carries credentials: it is never logged or put in an error.
 */
export class UpstreamSocket {
  private ws: WebSocket | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private awaitingHeartbeat = false;
  private closed = false;
  private readonly heartbeatMs: number;

  constructor(private readonly events: UpstreamSocketEvents, private readonly options: UpstreamSocketOptions = {}) {
    this.heartbeatMs = options.heartbeatMs ?? 10_000;
  }

  /** Opens and subscribes; resolves once Connect acknowledged the subscription. */
  open(url: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const fail = (reason: string): void => {
        if (settled) return;
        settled = true;
        clearTimeout(openTimer);
        clearTimeout(subscribeTimer);
        this.shutdown();
        reject(new Error(reason));
      };
      const ws = new WebSocket(url, { handshakeTimeout: this.options.openTimeoutMs ?? 10_000, perMessageDeflate: false });
      this.ws = ws;
      const openTimer = setTimeout(() => fail('upstream socket did not open in time'), this.options.openTimeoutMs ?? 10_000);
      let subscribeTimer: NodeJS.Timeout | undefined;
      let attempts = 0;
      const subscribe = (): void => {
        if (attempts++ >= (this.options.subscribeAttempts ?? 5)) return fail('upstream subscription not acknowledged');
        ws.send(SUBSCRIBE);
        subscribeTimer = setTimeout(subscribe, this.options.subscribeTimeoutMs ?? 1000);
      };
      ws.on('open', () => {
        clearTimeout(openTimer);
        subscribe();
      });
      ws.on('message', (data) => {
        const frame = parseFrame(data.toString());
        if (!frame) return;
        if (frame.topic === 'aws/subscribe') {
          const status = (frame.content as { status?: string } | undefined)?.status;
          clearTimeout(subscribeTimer);
          if (status === 'success' && !settled) {
            settled = true;
            this.startHeartbeat();
            resolve();
          } else if (!settled) {
            subscribeTimer = setTimeout(subscribe, 500);
          }
          return;
        }
        this.onFrame(frame);
      });
      ws.on('error', () => fail('upstream socket error'));
      ws.on('close', (code) => {
        if (!settled) return fail(`upstream socket closed before subscription (${code})`);
        this.lost(`closed by Connect (${code})`);
      });
    });
  }

  /** Closes deliberately (rotation, end of chat); onClosed is not called. */
  close(): void {
    this.closed = true;
    this.shutdown();
  }

  get isOpen(): boolean {
    return !this.closed && this.ws?.readyState === WebSocket.OPEN;
  }

  private onFrame(frame: Frame): void {
    if (frame.topic === 'aws/heartbeat') {
      this.awaitingHeartbeat = false;
      return;
    }
    if (frame.topic === 'aws/chat' && typeof frame.content === 'string') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(frame.content);
      } catch {
        return;
      }
      const item = parseConnectItem(parsed);
      if (item) this.events.onItem(item);
    }
  }

  private startHeartbeat(): void {
    const beat = (): void => {
      if (this.awaitingHeartbeat) return this.lost('heartbeat not answered');
      this.awaitingHeartbeat = true;
      this.ws?.send(PING);
      this.ws?.send(HEARTBEAT);
    };
    beat();
    this.heartbeatTimer = setInterval(beat, this.heartbeatMs);
    this.heartbeatTimer.unref();
  }

  private lost(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.shutdown();
    this.events.onClosed(reason);
  }

  private shutdown(): void {
    clearInterval(this.heartbeatTimer);
    const ws = this.ws;
    if (!ws) return;
    ws.removeAllListeners('close');
    ws.removeAllListeners('message');
    ws.on('error', () => undefined);
    if (ws.readyState === WebSocket.OPEN) ws.close(1000);
    else ws.terminate();
  }
}

interface Frame {
  topic?: string;
  content?: unknown;
}

function parseFrame(text: string): Frame | null {
  try {
    const v = JSON.parse(text) as unknown;
    return typeof v === 'object' && v !== null ? (v as Frame) : null;
  } catch {
    return null;
  }
}

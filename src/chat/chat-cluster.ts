import { Injectable, Logger } from '@nestjs/common';
import type { Namespace } from 'socket.io';
import type { AppError } from '../common/app-error.js';
import type { ChatBroadcaster } from './chat-broadcaster.js';
import type { Ack } from './chat-socket.events.js';

/** A customer action that must run where the chat's Connect connection is held. */
export type OwnerAction =
  | { kind: 'send'; clientMessageId: string; contentType: string; content: string }
  | { kind: 'typing' }
  | { kind: 'receipt'; receipt: 'read' | 'delivered'; messageId: string }
  | { kind: 'end' };

type RelayKind = 'items' | 'typing' | 'receipt' | 'state' | 'ended';
type ActionHandler = (chatId: string, action: OwnerAction) => Promise<Ack<unknown>> | null;

const RELAY = 'gw:relay';
const ACTION = 'gw:action';

/**
 * Several gateway processes (REDIS_URL): what a chat's owner publishes reaches the browsers connected
 * to other processes, and their actions reach the owner, through Socket.IO's server-side events on
 * the Redis adapter. Single process: everything stays local and this does nothing.
 */
@Injectable()
export class ChatCluster {
  private readonly log = new Logger(ChatCluster.name);
  private ns: Namespace | undefined;
  private handler: ActionHandler | undefined;

  get enabled(): boolean {
    return this.ns !== undefined;
  }

  bind(ns: Namespace, broadcaster: ChatBroadcaster): void {
    this.ns = ns;
    ns.on(RELAY, (kind: RelayKind, chatId: string, payload: unknown) => broadcaster[kind](chatId, payload as never));
    ns.on(ACTION, (chatId: string, action: OwnerAction, ack: (answer: Ack<unknown> | null) => void) => {
      const running = this.handler?.(chatId, action);
      if (!running) return ack(null);
      running.then(ack, () => ack({ ok: false, error: { code: 'INTERNAL', message: 'Something went wrong on our side.' } }));
    });
  }

  /** The local executor: answers null for chats this process does not own. */
  onAction(handler: ActionHandler): void {
    this.handler = handler;
  }

  relay(kind: RelayKind, chatId: string, payload: unknown): void {
    this.ns?.serverSideEmit(RELAY, kind, chatId, payload);
  }

  /** Runs the action on whichever process owns the chat; null when no process answered for it. */
  async callOwner(chatId: string, action: OwnerAction): Promise<Ack<unknown> | null> {
    if (!this.ns) return null;
    const ns = this.ns;
    return new Promise((resolve) => {
      // The adapter waits 5 s for every process; a timeout means some did not answer (the owner may have).
      ns.serverSideEmit(ACTION, chatId, action, (err: Error | null, answers: (Ack<unknown> | null)[] = []) => {
        if (err) this.log.warn(`owner call for chat ${chatId}: not every gateway process answered`);
        resolve(answers.find((a) => a) ?? null);
      });
    });
  }
}

export function unwrap<T>(answer: Ack<unknown>, toError: (code: string, message: string) => AppError): T {
  if (answer.ok) return answer.data as T;
  throw toError(answer.error.code, answer.error.message);
}

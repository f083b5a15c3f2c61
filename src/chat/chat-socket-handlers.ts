import type { Socket } from 'socket.io';
import { AppError } from '../common/app-error.js';
import type { ChatActionsService, ChatRef } from './chat-actions.service.js';
import type { Ack, ClientEvent } from './chat-socket.events.js';
import { checkInt, isObject } from './widget-validation.js';

type Handler = (chat: ChatRef, payload: unknown) => Promise<unknown>;
type Listener = (this: Socket, ...args: unknown[]) => void;

/** The client → server events of CONTRACT.md §3: validate, then one action each. */
function handlers(actions: ChatActionsService): Record<ClientEvent, Handler> {
  return {
    'chat:send': async (chat, p) => ({ item: await actions.send(chat, p) }),
    'chat:typing': async (chat, p) => {
      if (p !== undefined && p !== null && !isObject(p)) throw AppError.validation([{ field: 'payload', message: 'must be an object' }]);
      await actions.typing(chat);
      return {};
    },
    'chat:read': async (chat, p) => {
      await actions.receipt(chat, 'read', p);
      return {};
    },
    'chat:delivered': async (chat, p) => {
      await actions.receipt(chat, 'delivered', p);
      return {};
    },
    'chat:sync': async (chat, p) => {
      if (!isObject(p)) throw AppError.validation([{ field: 'payload', message: 'must be an object' }]);
      checkInt(p.afterSeq, 'afterSeq', 0, 2_147_483_647);
      return actions.itemsAfter(chat, p);
    },
    'chat:end': (chat) => actions.end(chat),
  };
}

/**
 * One listener per event, shared by every socket (Socket.IO calls it with the socket as `this`): no
 * per-socket closures. Nest's @SubscribeMessage built an rxjs pipeline per socket and event instead
 * (≈ 24 KiB of heap per socket). The ack callback is optional, as with Nest: the action runs anyway.
 */
export function clientEventListeners(actions: ChatActionsService, chatOf: (socket: Socket) => ChatRef): [ClientEvent, Listener][] {
  return Object.entries(handlers(actions)).map(([event, handler]) => [event as ClientEvent, function listener(this: Socket, ...args: unknown[]) {
    const last = args[args.length - 1];
    const ack = typeof last === 'function' ? (last as (answer: Ack<unknown>) => void) : undefined;
    if (ack) args.pop();
    const payload = args.length > 1 ? args : args[0];
    // An ack to a socket that has gone away is dropped by Socket.IO; nothing here may reject unhandled.
    void answer(() => handler(chatOf(this), payload)).then((a) => ack?.(a)).catch(() => undefined);
  }]);
}

async function answer<T>(fn: () => Promise<T>): Promise<Ack<T>> {
  try {
    return { ok: true, data: await fn() };
  } catch (err) {
    if (err instanceof AppError) return { ok: false, error: { code: err.code, message: err.message } };
    return { ok: false, error: { code: 'INTERNAL', message: 'Something went wrong on our side.' } };
  }
}

import { IoAdapter } from '@nestjs/platform-socket.io';
import type { MessageMappingProperties } from '@nestjs/websockets';
import type { Observable } from 'rxjs';

/**
 * Nest's Socket.IO adapter without its per-socket rxjs bookkeeping. For every connection Nest builds a
 * disconnect observable (fromEvent + share + first) and a `disconnect` listener, even for a gateway
 * with no @SubscribeMessage handlers; with thousands of sockets that is megabytes of heap. Gateways
 * served by this adapter bind their own socket listeners, `disconnect` included (Nest's
 * handleDisconnect hook is not called).
 */
export class LeanIoAdapter extends IoAdapter {
  override bindMessageHandlers(socket: unknown, handlers: MessageMappingProperties[], transform: (data: unknown) => Observable<unknown>): void {
    if (handlers.length) super.bindMessageHandlers(socket as never, handlers, transform);
  }

  override bindClientDisconnect(): void {
    // See the class comment: gateways listen for 'disconnect' themselves.
  }
}

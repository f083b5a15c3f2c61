import { Injectable } from '@nestjs/common';
import { ChatsRepository } from '../sessions/chats.repository.js';
import { SessionRegistry } from '../sessions/session-registry.service.js';
import type { ChatTerminator } from '../transcripts/chat-terminator.js';

/** Ends a live chat before staff erase it: the customer leaves Connect, browsers are told. */
@Injectable()
export class ChatTerminatorService implements ChatTerminator {
  constructor(private readonly registry: SessionRegistry, private readonly chats: ChatsRepository) {}

  async endChat(chatId: string, reason: 'erased'): Promise<void> {
    const session = this.registry.get(chatId);
    if (session) {
      try {
        await session.end();
      } catch {
        // Connect unreachable: the chat is erased anyway; Connect ends it by its own timeouts.
      }
    }
    await this.chats.markEnded(chatId, reason);
  }
}

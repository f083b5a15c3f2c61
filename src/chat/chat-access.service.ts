import { Injectable } from '@nestjs/common';
import { SessionTokenService } from '../auth/session-token.service.js';
import { AppError } from '../common/app-error.js';
import { FrontendsService } from '../frontends/frontends.service.js';
import type { ChatRecord } from '../sessions/chat-record.js';
import { ChatsRepository } from '../sessions/chats.repository.js';

/** Who may touch a chat from a browser: a valid session token for it, from an allowed origin. */
@Injectable()
export class ChatAccessService {
  constructor(
    private readonly tokens: SessionTokenService,
    private readonly chats: ChatsRepository,
    private readonly frontends: FrontendsService,
  ) {}

  /** `urlChatId`: the chat the URL names (a valid token for another chat is 404). */
  async authorize(token: unknown, origin: string | undefined, urlChatId?: string): Promise<ChatRecord> {
    const chatId = this.tokens.verify(token);
    if (urlChatId !== undefined && urlChatId.toLowerCase() !== chatId) throw new AppError('NOT_FOUND', 'Not found.');
    const chat = await this.chats.findById(chatId);
    if (!chat) throw new AppError('UNAUTHENTICATED', 'A valid session token is required.');
    this.tokens.assertChatAdmits(chat);
    if (origin !== undefined) {
      const frontend = await this.frontends.findById(chat.frontendId);
      if (!frontend || !this.frontends.isOriginAllowed(frontend, origin)) {
        throw new AppError('FORBIDDEN', 'This origin is not allowed for this chat.');
      }
    }
    return chat;
  }
}

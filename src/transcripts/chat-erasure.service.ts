import { Inject, Injectable, Optional } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import { staffActor } from '../audit/audit-actor.js';
import { AppError } from '../common/app-error.js';
import { CHAT_TERMINATOR } from './chat-terminator.js';
import type { ChatTerminator } from './chat-terminator.js';
import { StaffChatsRepository } from './staff-chats.repository.js';
import { StaffChatsService } from './staff-chats.service.js';
import type { Caller } from './staff-chats.service.js';

/** DELETE /v1/admin/chats/{id}: erases a chat and its items; the audit entry outlives them. */
@Injectable()
export class ChatErasureService {
  constructor(
    private readonly chats: StaffChatsRepository,
    private readonly staffChats: StaffChatsService,
    private readonly audit: AuditService,
    @Optional() @Inject(CHAT_TERMINATOR) private readonly terminator?: ChatTerminator,
  ) {}

  async erase(caller: Caller, chatId: string, force: boolean): Promise<void> {
    const chat = await this.staffChats.visibleChat(caller, chatId, 'chat.erase');
    const active = chat.status !== 'ended';
    if (active && !force) throw new AppError('CONFLICT', 'The chat has not ended; add ?force=true to end it and erase it.');
    if (active) {
      if (this.terminator) await this.terminator.endChat(chatId, 'erased');
      else await this.chats.markEnded(chatId, 'erased');
    }
    const items = await this.chats.eraseChat(chatId);
    await this.audit.record({
      actor: staffActor(caller.staff),
      action: 'chat.erase',
      target: `chat:${chatId}`,
      chatId,
      frontendId: chat.frontendId,
      ip: caller.ip,
      details: { items: items ?? 0, status: chat.status, forced: active, startedAt: chat.startedAt.toISOString() },
    });
  }
}

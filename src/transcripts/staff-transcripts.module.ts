import { Module } from '@nestjs/common';
import { AdminPageController } from './admin-page.controller.js';
import { ChatErasureService } from './chat-erasure.service.js';
import { RetentionService } from './retention.service.js';
import { StaffChatsController } from './staff-chats.controller.js';
import { StaffChatsRepository } from './staff-chats.repository.js';
import { StaffChatsService } from './staff-chats.service.js';

/**
 * The staff side of transcripts: search, view, export, erase, retention and the /admin/ page. A
 * ChatTerminator (CHAT_TERMINATOR) is used when a global module provides one.
 */
@Module({
  controllers: [StaffChatsController, AdminPageController],
  providers: [StaffChatsRepository, StaffChatsService, ChatErasureService, RetentionService],
  exports: [RetentionService],
})
export class StaffTranscriptsModule {}

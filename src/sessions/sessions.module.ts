import { Module } from '@nestjs/common';
import { FrontendsModule } from '../frontends/frontends.module.js';
import { ChatItemsRepository } from '../transcripts/chat-items.repository.js';
import { ItemStoreRepository } from '../transcripts/item-store.repository.js';
import { ChatEvents } from './chat-events.js';
import { ChatsRepository } from './chats.repository.js';
import { ItemWriter } from './item-writer.service.js';
import { RedactorSource } from './redactor-source.js';
import { DEFAULT_SESSION_TIMING, SESSION_TIMING, SessionRegistry } from './session-registry.service.js';
import { UpstreamScheduler } from './upstream-scheduler.js';

/** The owner side: one ChatSession per chat this process holds. */
@Module({
  imports: [FrontendsModule],
  providers: [
    { provide: SESSION_TIMING, useValue: DEFAULT_SESSION_TIMING },
    ChatEvents, ChatsRepository, ChatItemsRepository, ItemStoreRepository, ItemWriter, RedactorSource, SessionRegistry,
    UpstreamScheduler,
  ],
  exports: [ChatEvents, ChatsRepository, ChatItemsRepository, SessionRegistry, ItemWriter],
})
export class SessionsModule {}

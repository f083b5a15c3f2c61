import { Global, Module } from '@nestjs/common';
import type { MiddlewareConsumer, NestModule } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import type { Request } from 'express';
import { SessionTokenService } from '../auth/session-token.service.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/app-config.js';
import { FrontendsModule } from '../frontends/frontends.module.js';
import { SessionsModule } from '../sessions/sessions.module.js';
import { ChatAccessRepository } from './chat-access.repository.js';
import { ChatAccessService } from './chat-access.service.js';
import { ChatActionsService } from './chat-actions.service.js';
import { ChatBroadcaster } from './chat-broadcaster.js';
import { ChatCluster } from './chat-cluster.js';
import { ChatFanout } from './chat-fanout.js';
import { ChatPresence } from './chat-presence.js';
import { ChatStartService } from './chat-start.service.js';
import { ChatGateway } from './chat.gateway.js';
import { ChatsController } from './chats.controller.js';
import { DemoPageController } from './demo-page.controller.js';
import { ReplayReader } from './replay-reader.js';
import { IdempotencyJanitor } from './idempotency-janitor.service.js';
import { IdempotencyRepository } from './idempotency.repository.js';
import { WidgetCorsMiddleware } from './widget-cors.middleware.js';
import { ChatTerminatorService } from './chat-terminator.service.js';
import { CHAT_TERMINATOR } from '../transcripts/chat-terminator.js';

const MINUTE_MS = 60_000;

/** Browser-facing chat: widget REST API and the Socket.IO namespace /chat. Global for CHAT_TERMINATOR. */
@Global()
@Module({
  imports: [
    SessionsModule,
    FrontendsModule,
    // Chat starts are limited per client IP and per front end (CONTRACT.md §2).
    ThrottlerModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        throttlers: [
          { name: 'ip', ttl: MINUTE_MS, limit: config.chat.chatStartsPerMinutePerIp },
          {
            name: 'frontend',
            ttl: MINUTE_MS,
            limit: config.chat.chatStartsPerMinutePerFrontend,
            getTracker: (req: Record<string, unknown>) => String((req as unknown as Request).headers['x-frontend-key'] ?? 'none'),
          },
        ],
      }),
    }),
  ],
  controllers: [ChatsController, DemoPageController],
  providers: [
    ChatAccessRepository, ChatAccessService, ChatActionsService, ChatBroadcaster, ChatCluster, ChatFanout, ChatPresence, ChatStartService, ChatGateway,
    IdempotencyJanitor, IdempotencyRepository, ReplayReader, SessionTokenService,
    { provide: CHAT_TERMINATOR, useClass: ChatTerminatorService },
  ],
  exports: [CHAT_TERMINATOR],
})
export class ChatModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(WidgetCorsMiddleware).forRoutes('v1/chats', 'v1/chats/*path');
  }
}

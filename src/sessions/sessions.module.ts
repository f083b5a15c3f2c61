import { Module } from '@nestjs/common';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { effectiveLimits } from '../connect/connect-quotas.js';
import { FrontendsModule } from '../frontends/frontends.module.js';
import { MetricsService } from '../health/metrics.service.js';
import { ChatItemsRepository } from '../transcripts/chat-items.repository.js';
import { ItemStoreRepository } from '../transcripts/item-store.repository.js';
import { AbandonmentWatch } from './abandonment.service.js';
import { ChatEvents } from './chat-events.js';
import { ChatsRepository } from './chats.repository.js';
import { SYSTEM_CLOCK } from './clock.js';
import { ItemWriter } from './item-writer.service.js';
import { RedactorSource } from './redactor-source.js';
import { SESSION_TIMING, SessionRegistry, sessionTiming } from './session-registry.service.js';
import { schedulerMetrics } from './upstream-metrics.js';
import { UpstreamScheduler } from './upstream-scheduler.js';

/** The owner side: one ChatSession per chat this process holds. */
@Module({
  imports: [FrontendsModule],
  providers: [
    { provide: SESSION_TIMING, useFactory: (config: AppConfig) => sessionTiming(config), inject: [APP_CONFIG] },
    {
      provide: UpstreamScheduler,
      useFactory: (config: AppConfig, metrics: MetricsService) =>
        new UpstreamScheduler(effectiveLimits(config.upstream.rateLimits, config.upstream.rateFraction), SYSTEM_CLOCK, schedulerMetrics(metrics)),
      inject: [APP_CONFIG, MetricsService],
    },
    ChatEvents, ChatsRepository, ChatItemsRepository, ItemStoreRepository, ItemWriter, RedactorSource, SessionRegistry,
    AbandonmentWatch,
  ],
  exports: [ChatEvents, ChatsRepository, ChatItemsRepository, SessionRegistry, ItemWriter, UpstreamScheduler],
})
export class SessionsModule {}

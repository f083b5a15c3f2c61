import { Inject, Injectable, Logger } from '@nestjs/common';
import type { OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { ChatEvents } from './chat-events.js';
import { ChatsRepository } from './chats.repository.js';
import { SessionRegistry } from './session-registry.service.js';

/**
 * Abandoned visitors (ABANDON_AFTER_MINUTES): every process records, per tick, which chats have a
 * browser connected to it (`browser_seen_at`, so it works whichever process holds the sockets); the
 * owner of a chat nobody has had open for the whole period ends the customer's side with reason
 * `abandoned`. A browser that comes back in time just keeps the chat going.
 */
@Injectable()
export class AbandonmentWatch implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger(AbandonmentWatch.name);
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private readonly afterMs: number;
  private readonly everyMs: number;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly events: ChatEvents,
    private readonly chats: ChatsRepository,
    private readonly registry: SessionRegistry,
  ) {
    this.afterMs = config.chat.abandonAfterMinutes * 60_000;
    this.everyMs = Math.min(config.chat.abandonCheckMs, Math.max(100, this.afterMs / 4 || config.chat.abandonCheckMs));
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.tick(), this.everyMs);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const here = this.events.connectedChatIds();
      await this.chats.touchBrowserSeen(here);
      if (this.afterMs <= 0) return;
      const present = new Set(here);
      const stale = await this.chats.findAbandoned(this.registry.ownedChatIds(), this.afterMs);
      for (const id of stale) {
        if (present.has(id)) continue;
        this.registry.get(id)?.abandon().catch((err: unknown) =>
          this.log.warn(`chat ${id}: could not end the abandoned chat (${err instanceof Error ? err.message : 'error'}); retrying next check`));
      }
    } catch (err) {
      this.log.warn(`presence check failed: ${err instanceof Error ? err.message.slice(0, 200) : String(err)}`);
    } finally {
      this.running = false;
    }
  }
}

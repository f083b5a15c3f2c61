import { Injectable, Logger } from '@nestjs/common';
import { Cron, CronExpression } from '@nestjs/schedule';
import { AuditService } from '../audit/audit.service.js';
import { SYSTEM_ACTOR } from '../audit/audit-actor.js';
import { StaffChatsRepository } from './staff-chats.repository.js';

export interface RetentionOptions {
  /** Chats erased per batch (one audit entry per batch). */
  batchSize?: number;
  /** Pause between batches, so the job never hogs the database or the event loop. */
  pauseMs?: number;
  now?: Date;
}

export interface RetentionResult {
  chats: number;
  items: number;
}

const DAY_MS = 86_400_000;

/**
 * Erases ended chats older than their front end's retentionDays (by end time), in small batches with
 * pauses. Runs hourly; several processes may run it at once (every delete is idempotent and the audit
 * counts only what each actually deleted).
 */
@Injectable()
export class RetentionService {
  private readonly log = new Logger(RetentionService.name);
  private running: Promise<RetentionResult> | null = null;

  constructor(
    private readonly chats: StaffChatsRepository,
    private readonly audit: AuditService,
  ) {}

  @Cron(CronExpression.EVERY_HOUR, { name: 'transcript-retention' })
  async scheduled(): Promise<void> {
    try {
      const result = await this.runOnce();
      if (result.chats) this.log.log(`retention erased ${result.chats} chats (${result.items} items)`);
    } catch (err) {
      this.log.error({ err }, 'retention run failed');
    }
  }

  /** One full pass (callable directly, e.g. from tests); a second call while one runs joins it. */
  runOnce(options: RetentionOptions = {}): Promise<RetentionResult> {
    this.running ??= this.pass(options).finally(() => (this.running = null));
    return this.running;
  }

  private async pass({ batchSize = 50, pauseMs = 200, now = new Date() }: RetentionOptions): Promise<RetentionResult> {
    const total: RetentionResult = { chats: 0, items: 0 };
    for (const frontend of await this.chats.frontendsWithRetention()) {
      const cutoff = new Date(now.getTime() - frontend.retentionDays * DAY_MS);
      for (;;) {
        const ids = await this.chats.expiredChats(frontend.id, cutoff, batchSize);
        if (!ids.length) break;
        const erased: string[] = [];
        let items = 0;
        for (const id of ids) {
          const n = await this.chats.eraseChat(id);
          if (n === null) continue;
          erased.push(id);
          items += n;
        }
        if (erased.length) {
          await this.audit.record({
            actor: SYSTEM_ACTOR,
            action: 'retention.erase',
            frontendId: frontend.id,
            target: `frontend:${frontend.id}`,
            details: { chats: erased.length, items, chatIds: erased, retentionDays: frontend.retentionDays, cutoff: cutoff.toISOString() },
          });
        }
        total.chats += erased.length;
        total.items += items;
        if (ids.length < batchSize) break;
        await new Promise((resolve) => setTimeout(resolve, pauseMs));
      }
    }
    return total;
  }
}

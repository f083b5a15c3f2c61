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

  /**
   * A hot statement of the write path. On Postgres it runs as a named prepared statement straight on the
   * pg pool: Prisma's raw-query path costs more client CPU per call than the statement's own work, and
   * an unprepared statement costs Postgres twice the CPU (parse and plan every time). Embedded PGlite
   * keeps Prisma's path. Rows come back as the driver decodes them (uuid and text as strings).
   */
  async preparedQuery<T>(name: string, sql: string, params: unknown[]): Promise<T[]> {
    const pool = this.opened.pool;
    if (!pool) return this.$queryRawUnsafe<T[]>(sql, ...params);
    const result = await pool.query({ name, text: sql, values: params });
    return result.rows as T[];
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

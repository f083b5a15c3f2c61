import { Global, Module } from '@nestjs/common';
import type { DynamicModule } from '@nestjs/common';
import type { OpenedAdapter } from './driver-adapters.js';
import { OPENED_ADAPTER, PrismaService } from './prisma.service.js';

@Global()
@Module({})
export class DatabaseModule {
  /** The adapter is opened (and migrated) before Nest starts, in bootstrap. */
  static forRoot(opened: OpenedAdapter): DynamicModule {
    return {
      module: DatabaseModule,
      providers: [{ provide: OPENED_ADAPTER, useValue: opened }, PrismaService],
      exports: [PrismaService],
    };
  }
}

import { Module } from '@nestjs/common';
import type { DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { LoggerModule } from 'nestjs-pino';
import type { AppConfig } from './config/app-config.js';
import type { ConnectTarget } from './config/config.module.js';
import { ConfigModule } from './config/config.module.js';
import type { Keyring } from './auth/keyring.js';
import { HttpExceptionFilter } from './common/http-exception.filter.js';
import { pinoParams } from './common/logging.js';
import { DatabaseModule } from './database/database.module.js';
import type { OpenedAdapter } from './database/driver-adapters.js';
import { HealthModule } from './health/health.module.js';
import { FEATURE_MODULES } from './feature-modules.js';

export interface AppContext {
  config: AppConfig;
  keyring: Keyring;
  database: OpenedAdapter;
  connect: ConnectTarget;
}

@Module({})
export class AppModule {
  static forRoot(ctx: AppContext): DynamicModule {
    return {
      module: AppModule,
      imports: [
        LoggerModule.forRoot(pinoParams(ctx.config)),
        ConfigModule.forRoot(ctx.config, ctx.keyring, ctx.connect),
        DatabaseModule.forRoot(ctx.database),
        ScheduleModule.forRoot(),
        HealthModule,
        ...FEATURE_MODULES,
      ],
      providers: [{ provide: APP_FILTER, useClass: HttpExceptionFilter }],
    };
  }
}

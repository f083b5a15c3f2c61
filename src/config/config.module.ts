import { Global, Module } from '@nestjs/common';
import type { DynamicModule } from '@nestjs/common';
import type { AppConfig } from './app-config.js';
import type { Keyring } from '../auth/keyring.js';
import { KEYRING } from '../auth/keyring.js';

export const APP_CONFIG = Symbol('APP_CONFIG');
export const CONNECT_TARGET = Symbol('CONNECT_TARGET');

/** Where the gateway's AWS clients go: the emulator's URL or a custom endpoint; undefined = AWS itself. */
export interface ConnectTarget {
  endpoint: string | undefined;
  /** True when the endpoint is the bundled emulator (demo front end, dummy credentials). */
  emulator: boolean;
}

/** Provides the validated AppConfig and the process's secrets. Nothing else reads process.env. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: AppConfig, keyring: Keyring, connect: ConnectTarget): DynamicModule {
    return {
      module: ConfigModule,
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: KEYRING, useValue: keyring },
        { provide: CONNECT_TARGET, useValue: connect },
      ],
      exports: [APP_CONFIG, KEYRING, CONNECT_TARGET],
    };
  }
}

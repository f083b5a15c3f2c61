import { Global, Inject, Module } from '@nestjs/common';
import type { OnApplicationShutdown } from '@nestjs/common';
import { CONNECT_TARGET } from '../config/config.module.js';
import type { ConnectTarget } from '../config/config.module.js';
import { ReadinessRegistry } from '../health/readiness.registry.js';
import { AwsConnectAdapter } from './aws-connect.adapter.js';
import { CONNECT_CHAT_PORT } from './connect-chat.port.js';

/** The only module that talks to Amazon Connect (through the AWS SDK) or the emulator. */
@Global()
@Module({
  providers: [
    { provide: CONNECT_CHAT_PORT, useFactory: (target: ConnectTarget) => new AwsConnectAdapter(target), inject: [CONNECT_TARGET] },
  ],
  exports: [CONNECT_CHAT_PORT],
})
export class ConnectModule implements OnApplicationShutdown {
  constructor(
    @Inject(CONNECT_CHAT_PORT) private readonly adapter: AwsConnectAdapter,
    @Inject(CONNECT_TARGET) target: ConnectTarget,
    readiness: ReadinessRegistry,
  ) {
    readiness.register('connect', async () => {
      if (!target.endpoint) return { endpoint: 'aws' };
      // Any HTTP answer means the endpoint is there; only a network failure is "down".
      await fetch(target.endpoint, { method: 'HEAD', signal: AbortSignal.timeout(2000) });
      return { endpoint: 'reachable' };
    });
  }

  onApplicationShutdown(): void {
    this.adapter.close();
  }
}

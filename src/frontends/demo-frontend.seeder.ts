import { Inject, Injectable, Logger } from '@nestjs/common';
import type { OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, CONNECT_TARGET } from '../config/config.module.js';
import type { ConnectTarget } from '../config/config.module.js';
import type { AppConfig } from '../config/app-config.js';
import { CONTENT_TYPES } from './frontend.js';
import type { FrontendSettings } from './frontend.js';
import { FrontendAdminService } from './frontend-admin.service.js';
import { DEMO_FRONTEND_NAME } from './frontends.service.js';
import { normaliseOrigin } from './origin.js';

/** CONTRACT.md §1: on first start in emulator mode, an empty registry gets the `demo` front end. */
@Injectable()
export class DemoFrontendSeeder implements OnApplicationBootstrap {
  private readonly log = new Logger('Frontends');

  constructor(
    private readonly admin: FrontendAdminService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CONNECT_TARGET) private readonly connect: ConnectTarget,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.connect.emulator) return;
    const created = await this.admin.createIfNoneExist(demoSettings(this.config));
    if (!created) return;
    this.log.log(`demo front end created: publicKey ${created.publicKey}; demo page ${this.config.http.publicUrl}/`);
  }
}

export function demoSettings(config: AppConfig): FrontendSettings {
  const { publicUrl, port } = config.http;
  const origins = [originOf(publicUrl), `http://localhost:${port}`, `http://127.0.0.1:${port}`]
    .map((o) => normaliseOrigin(o))
    .filter((o): o is string => o !== undefined);
  return {
    name: DEMO_FRONTEND_NAME,
    allowedOrigins: [...new Set(origins)],
    connect: { instanceId: 'demo-instance', contactFlowId: 'demo-flow', region: 'us-east-1', supportedContentTypes: [...CONTENT_TYPES] },
    attributeKeys: [],
    retentionDays: null,
    redaction: null,
  };
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}

import type { Type } from '@nestjs/common';
import { AuditModule } from './audit/audit.module.js';
import { AuthModule } from './auth/auth.module.js';
import { ChatModule } from './chat/chat.module.js';
import { ConnectModule } from './connect/connect.module.js';
import { StaffTranscriptsModule } from './transcripts/staff-transcripts.module.js';
import { FrontendsModule } from './frontends/frontends.module.js';

/** The product's capability modules, in dependency order. */
export const FEATURE_MODULES: Type[] = [
  AuditModule,
  AuthModule,
  StaffTranscriptsModule,
  FrontendsModule,
  ConnectModule,
  ChatModule,
];

import type { Type } from '@nestjs/common';
import { AuditModule } from './audit/audit.module.js';
import { AuthModule } from './auth/auth.module.js';
import { FrontendsModule } from './frontends/frontends.module.js';

/** The product's capability modules, in dependency order. */
export const FEATURE_MODULES: Type[] = [
  AuditModule,
  AuthModule,
  FrontendsModule,
];

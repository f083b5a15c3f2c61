import { Injectable } from '@nestjs/common';
import type { CanActivate, ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { AuditService } from '../audit/audit.service.js';
import { clientIp, staffActor } from '../audit/audit-actor.js';
import { AppError } from '../common/app-error.js';
import { StaffAuthService, bearerToken } from './staff-auth.service.js';
import type { StaffPrincipal, StaffRole } from './staff-principal.js';

export const STAFF_ROLE_KEY = 'gateway:staff-role';

export type StaffRequest = Request & { staff?: StaffPrincipal };

/** Authenticates the staff bearer token (401) and checks the role set by @StaffOnly (403, audited). */
@Injectable()
export class StaffGuard implements CanActivate {
  constructor(
    private readonly auth: StaffAuthService,
    private readonly reflector: Reflector,
    private readonly audit: AuditService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<StaffRequest>();
    // A class-level and a handler-level @StaffOnly both run this guard: authenticate once per request.
    const principal = req.staff ?? (await this.auth.authenticate(bearerToken(req.headers.authorization)));
    if (!principal) throw new AppError('UNAUTHENTICATED', 'A valid staff token is required.');
    const required = this.reflector.getAllAndOverride<StaffRole | 'any' | undefined>(STAFF_ROLE_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (required === 'admin' && principal.role !== 'admin') {
      // A valid token trying what it may not do leaves a trace. Unknown tokens do not (the request log
      // has them): anyone on the network could otherwise fill the audit table.
      await this.audit.record({
        actor: staffActor(principal),
        action: 'access.denied',
        target: `${req.method} ${req.baseUrl}${(req.route as { path?: string } | undefined)?.path ?? req.path}`,
        ip: clientIp(req),
        details: { required: 'admin', role: principal.role },
      });
      throw new AppError('FORBIDDEN', 'This action needs an admin staff token.');
    }
    req.staff = principal;
    return true;
  }
}

import { Injectable } from '@nestjs/common';
import type { CanActivate, ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { AppError } from '../common/app-error.js';
import { StaffAuthService, bearerToken } from './staff-auth.service.js';
import type { StaffPrincipal, StaffRole } from './staff-principal.js';

export const STAFF_ROLE_KEY = 'gateway:staff-role';

export type StaffRequest = Request & { staff?: StaffPrincipal };

/** Authenticates the staff bearer token (401) and checks the role set by @StaffOnly (403). */
@Injectable()
export class StaffGuard implements CanActivate {
  constructor(
    private readonly auth: StaffAuthService,
    private readonly reflector: Reflector,
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
      throw new AppError('FORBIDDEN', 'This action needs an admin staff token.');
    }
    req.staff = principal;
    return true;
  }
}

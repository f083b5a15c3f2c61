import { SetMetadata, UseGuards, applyDecorators, createParamDecorator } from '@nestjs/common';
import type { ExecutionContext } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { AppError } from '../common/app-error.js';
import { STAFF_ROLE_KEY, StaffGuard } from './staff.guard.js';
import type { StaffRequest } from './staff.guard.js';
import type { StaffPrincipal } from './staff-principal.js';

/**
 * Staff-token authentication on a controller or handler. `@StaffOnly()` accepts any valid staff token,
 * `@StaffOnly('admin')` only admin tokens. A handler-level role overrides the class-level one.
 */
export function StaffOnly(role?: 'admin'): ClassDecorator & MethodDecorator {
  return applyDecorators(
    SetMetadata(STAFF_ROLE_KEY, role ?? 'any'),
    UseGuards(StaffGuard),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ description: 'UNAUTHENTICATED: missing, unknown or revoked staff token' }),
    ApiForbiddenResponse({ description: 'FORBIDDEN: the token lacks the required role' }),
  );
}

/** The StaffPrincipal that StaffGuard attached to the request. */
export const CurrentStaff = createParamDecorator((_data: unknown, ctx: ExecutionContext): StaffPrincipal => {
  const principal = ctx.switchToHttp().getRequest<StaffRequest>().staff;
  if (!principal) throw new AppError('UNAUTHENTICATED', 'A valid staff token is required.');
  return principal;
});

import { AppError } from '../common/app-error.js';

export type StaffRole = 'admin' | 'reviewer';

export const STAFF_ROLES: readonly StaffRole[] = ['admin', 'reviewer'];

/** Who is calling the staff API. */
export interface StaffPrincipal {
  /** A staff_tokens id, or 'bootstrap-admin' for the configured first admin token. */
  id: string;
  name: string;
  role: StaffRole;
  /** The front ends this principal may see; null = every front end. */
  frontendIds: string[] | null;
}

export const BOOTSTRAP_ADMIN_ID = 'bootstrap-admin';

/**
 * Staff tokens and the audit log span every front end, so managing tokens and reading the audit log
 * need an admin token that is not limited to some front ends (else a limited admin could mint itself
 * an unlimited token).
 */
export function requireUnlimited(principal: StaffPrincipal): void {
  if (principal.frontendIds !== null) throw new AppError('FORBIDDEN', 'This action needs an admin token that is not limited to front ends.');
}

export function canSeeFrontend(principal: StaffPrincipal, frontendId: string): boolean {
  return principal.frontendIds === null || principal.frontendIds.includes(frontendId);
}

/**
 * The front ends a query may cover: the intersection of what was asked and what the principal may see.
 * null = no restriction; an empty array = nothing visible (the query must return nothing).
 */
export function visibleFrontendIds(principal: StaffPrincipal, requested?: string): string[] | null {
  if (requested !== undefined) return canSeeFrontend(principal, requested) ? [requested] : [];
  return principal.frontendIds;
}

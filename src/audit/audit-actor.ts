import type { Request } from 'express';
import type { StaffPrincipal } from '../auth/staff-principal.js';

/** `staff:<token id>` (the first admin token is `staff:bootstrap-admin`). */
export function staffActor(principal: StaffPrincipal): string {
  return `staff:${principal.id}`;
}

export const SYSTEM_ACTOR = 'system';

/**
 * The client's IP as Express sees it: `req.ip` honours the `trust proxy` setting (TRUST_PROXY), so
 * X-Forwarded-For counts only when configured; otherwise the socket's address.
 */
export function clientIp(req: Request): string | undefined {
  const ip = req.ip ?? req.socket?.remoteAddress;
  if (!ip) return undefined;
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip;
}

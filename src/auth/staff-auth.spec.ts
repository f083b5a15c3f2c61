import 'reflect-metadata';
import { Reflector } from '@nestjs/core';
import type { ExecutionContext } from '@nestjs/common';
import type { AuditRecordInput, AuditService } from '../audit/audit.service.js';
import { sha256Hex } from '../common/crypto.js';
import type { Keyring } from './keyring.js';
import { StaffAuthService, bearerToken } from './staff-auth.service.js';
import { STAFF_ROLE_KEY, StaffGuard } from './staff.guard.js';
import type { StaffRequest } from './staff.guard.js';
import { canSeeFrontend, visibleFrontendIds } from './staff-principal.js';
import type { StaffPrincipal } from './staff-principal.js';
import type { StaffTokenRecord, StaffTokensRepository } from './staff-tokens.repository.js';

const keyring = { adminToken: 'adm_first-admin-token', sessionSecret: 's', encryptionKey: Buffer.alloc(32) } as Keyring;
const FE = '11111111-1111-4111-8111-111111111111';

function fakeRepo(records: Record<string, StaffTokenRecord>): StaffTokensRepository {
  return {
    findActiveByHash: async (hash: string) => {
      const r = records[hash];
      return r && !r.revokedAt ? r : null;
    },
    touch: async () => undefined,
  } as unknown as StaffTokensRepository;
}

const reviewer: StaffTokenRecord = {
  id: 'r1', name: 'Rita', role: 'reviewer', frontendIds: [FE], createdBy: null, createdAt: new Date(), lastUsedAt: null, revokedAt: null,
};

describe('StaffAuthService', () => {
  const records = { [sha256Hex('stf_reviewer')]: { ...reviewer } };
  const auth = new StaffAuthService(keyring, fakeRepo(records));

  it('accepts the configured admin token as the bootstrap admin', async () => {
    expect(await auth.authenticate('adm_first-admin-token')).toEqual({ id: 'bootstrap-admin', name: 'admin', role: 'admin', frontendIds: null });
  });

  it('accepts a stored token by its hash and maps an empty front-end list to null', async () => {
    expect(await auth.authenticate('stf_reviewer')).toEqual({ id: 'r1', name: 'Rita', role: 'reviewer', frontendIds: [FE] });
    records[sha256Hex('stf_all')] = { ...reviewer, id: 'r2', frontendIds: [] };
    expect((await auth.authenticate('stf_all'))?.frontendIds).toBeNull();
  });

  it('refuses unknown, empty, over-long and revoked tokens', async () => {
    expect(await auth.authenticate(undefined)).toBeNull();
    expect(await auth.authenticate('')).toBeNull();
    expect(await auth.authenticate('adm_first-admin-token ')).toBeNull();
    expect(await auth.authenticate('x'.repeat(600))).toBeNull();
    records[sha256Hex('stf_gone')] = { ...reviewer, revokedAt: new Date() };
    expect(await auth.authenticate('stf_gone')).toBeNull();
  });

  it('parses bearer headers strictly', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('bearer abc')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeUndefined();
    expect(bearerToken('Bearer a b')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
    expect(bearerToken(['Bearer a'])).toBeUndefined();
  });
});

describe('StaffGuard', () => {
  const records = { [sha256Hex('stf_reviewer')]: reviewer };
  const audited: AuditRecordInput[] = [];
  const audit = { record: async (entry: AuditRecordInput) => void audited.push(entry) } as unknown as AuditService;
  const guard = new StaffGuard(new StaffAuthService(keyring, fakeRepo(records)), new Reflector(), audit);

  function context(authorization: string | undefined, role: 'admin' | 'any'): { ctx: ExecutionContext; req: StaffRequest } {
    const handler = (): void => undefined;
    Reflect.defineMetadata(STAFF_ROLE_KEY, role, handler);
    const req = { headers: { authorization }, method: 'DELETE', baseUrl: '', path: '/v1/admin/chats/x', route: { path: '/v1/admin/chats/:chatId' }, ip: '::ffff:10.0.0.9' } as unknown as StaffRequest;
    const ctx = {
      getHandler: () => handler,
      getClass: () => class {},
      switchToHttp: () => ({ getRequest: () => req }),
    } as unknown as ExecutionContext;
    return { ctx, req };
  }

  it('401 without a valid token, 403 for a reviewer on an admin route, principal attached otherwise', async () => {
    await expect(guard.canActivate(context(undefined, 'any').ctx)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(guard.canActivate(context('Bearer nope', 'any').ctx)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(audited).toEqual([]);
    await expect(guard.canActivate(context('Bearer stf_reviewer', 'admin').ctx)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(audited).toEqual([{
      actor: 'staff:r1', action: 'access.denied', target: 'DELETE /v1/admin/chats/:chatId', ip: '10.0.0.9',
      details: { required: 'admin', role: 'reviewer' },
    }]);
    const ok = context('Bearer stf_reviewer', 'any');
    expect(await guard.canActivate(ok.ctx)).toBe(true);
    expect(ok.req.staff?.id).toBe('r1');
    const admin = context('Bearer adm_first-admin-token', 'admin');
    expect(await guard.canActivate(admin.ctx)).toBe(true);
    expect(audited).toHaveLength(1);
  });
});

describe('front-end scoping', () => {
  const limited: StaffPrincipal = { id: 'r', name: 'r', role: 'reviewer', frontendIds: [FE] };
  const everyone: StaffPrincipal = { ...limited, frontendIds: null };
  it('canSeeFrontend and visibleFrontendIds', () => {
    expect(canSeeFrontend(limited, FE)).toBe(true);
    expect(canSeeFrontend(limited, 'other')).toBe(false);
    expect(canSeeFrontend(everyone, 'other')).toBe(true);
    expect(visibleFrontendIds(limited)).toEqual([FE]);
    expect(visibleFrontendIds(limited, 'other')).toEqual([]);
    expect(visibleFrontendIds(everyone, 'other')).toEqual(['other']);
    expect(visibleFrontendIds(everyone)).toBeNull();
  });
});

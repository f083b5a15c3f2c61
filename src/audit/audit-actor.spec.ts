import type { Request } from 'express';
import { clientIp, staffActor } from './audit-actor.js';

describe('audit actor helpers', () => {
  it('names staff actors by token id', () => {
    expect(staffActor({ id: 'bootstrap-admin', name: 'admin', role: 'admin', frontendIds: null })).toBe('staff:bootstrap-admin');
  });
  it('takes the client IP from req.ip (which honours trust proxy), unmapping IPv4-mapped IPv6', () => {
    expect(clientIp({ ip: '::ffff:10.0.0.7', socket: {} } as unknown as Request)).toBe('10.0.0.7');
    expect(clientIp({ ip: '2001:db8::1', socket: {} } as unknown as Request)).toBe('2001:db8::1');
    expect(clientIp({ ip: undefined, socket: { remoteAddress: '127.0.0.1' } } as unknown as Request)).toBe('127.0.0.1');
  });
});

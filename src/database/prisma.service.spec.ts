import { jest } from '@jest/globals';
import { PrismaPg } from '@prisma/adapter-pg';
import type pg from 'pg';
import { PrismaService } from './prisma.service.js';

describe('PrismaService.preparedQuery', () => {
  it('runs a named prepared statement on the pg pool when there is one', async () => {
    const query = jest.fn(async () => ({ rows: [{ id: 'a' }] }));
    const pool = { query } as unknown as pg.Pool;
    const prisma = new PrismaService({ factory: new PrismaPg(pool), pool, close: async () => undefined });
    const raw = jest.spyOn(prisma, '$queryRawUnsafe');

    await expect(prisma.preparedQuery('hot', 'SELECT $1::text AS id', ['a'])).resolves.toEqual([{ id: 'a' }]);
    expect(query).toHaveBeenCalledWith({ name: 'hot', text: 'SELECT $1::text AS id', values: ['a'] });
    expect(raw).not.toHaveBeenCalled();
  });

  it('takes Prisma’s raw path without a pool (embedded PGlite)', async () => {
    const pool = { query: jest.fn() } as unknown as pg.Pool;
    const prisma = new PrismaService({ factory: new PrismaPg(pool), close: async () => undefined });
    const raw = jest.spyOn(prisma, '$queryRawUnsafe').mockResolvedValue([{ id: 'b' }] as never);

    await expect(prisma.preparedQuery('hot', 'SELECT $1::text AS id', ['b'])).resolves.toEqual([{ id: 'b' }]);
    expect(raw).toHaveBeenCalledWith('SELECT $1::text AS id', 'b');
  });
});

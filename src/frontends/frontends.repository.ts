import { Injectable } from '@nestjs/common';
import { Prisma } from '../generated/prisma/client.js';
import type { Frontend as FrontendRow } from '../generated/prisma/client.js';
import { PrismaService } from '../database/prisma.service.js';
import type { FrontendPatch, FrontendSettings, RedactionConfig, StoredFrontend } from './frontend.js';

/** Serialises first-start seeding across processes sharing one database. */
const DEMO_LOCK_KEY = 'gateway.frontends.demo-seed';

/** The only code that touches the frontends table. Speaks domain types. */
@Injectable()
export class FrontendsRepository {
  constructor(private readonly prisma: PrismaService) {}

  async findById(id: string): Promise<StoredFrontend | null> {
    const row = await this.prisma.frontend.findUnique({ where: { id } });
    return row && toDomain(row);
  }

  async findByPublicKey(publicKey: string): Promise<StoredFrontend | null> {
    const row = await this.prisma.frontend.findUnique({ where: { publicKey } });
    return row && toDomain(row);
  }

  async findOldestByName(name: string): Promise<StoredFrontend | null> {
    const row = await this.prisma.frontend.findFirst({ where: { name }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
    return row && toDomain(row);
  }

  async list(): Promise<StoredFrontend[]> {
    const rows = await this.prisma.frontend.findMany({ orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
    return rows.map(toDomain);
  }

  /** Every front end's allowed origins, flattened (for CORS preflights that carry no key). */
  async allOrigins(): Promise<string[]> {
    const rows = await this.prisma.frontend.findMany({ select: { allowedOrigins: true } });
    return rows.flatMap((r) => r.allowedOrigins);
  }

  async create(settings: FrontendSettings, publicKey: string, secretEnc: string): Promise<StoredFrontend> {
    const row = await this.prisma.frontend.create({ data: createData(settings, publicKey, secretEnc) });
    return toDomain(row);
  }

  /**
   * Creates the front end only when the table is empty. A transaction-level advisory lock makes
   * concurrent first starts on one database queue up, so exactly one of them creates it.
   */
  async createIfNoneExist(settings: FrontendSettings, publicKey: string, secretEnc: string): Promise<StoredFrontend | null> {
    return this.prisma.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${DEMO_LOCK_KEY}))`;
      if ((await tx.frontend.count()) > 0) return null;
      return toDomain(await tx.frontend.create({ data: createData(settings, publicKey, secretEnc) }));
    });
  }

  /** Sets only the given fields (connect fields one by one); null when there is no such front end. */
  async update(id: string, patch: FrontendPatch): Promise<StoredFrontend | null> {
    const data: Prisma.FrontendUpdateInput = {};
    if (patch.name !== undefined) data.name = patch.name;
    if (patch.allowedOrigins !== undefined) data.allowedOrigins = patch.allowedOrigins;
    if (patch.connect?.instanceId !== undefined) data.connectInstanceId = patch.connect.instanceId;
    if (patch.connect?.contactFlowId !== undefined) data.connectContactFlowId = patch.connect.contactFlowId;
    if (patch.connect?.region !== undefined) data.connectRegion = patch.connect.region;
    if (patch.connect?.supportedContentTypes !== undefined) data.supportedContentTypes = patch.connect.supportedContentTypes;
    if (patch.attributeKeys !== undefined) data.attributeKeys = patch.attributeKeys;
    if (patch.retentionDays !== undefined) data.retentionDays = patch.retentionDays;
    if (patch.redaction !== undefined) data.redaction = jsonOrNull(patch.redaction);
    return this.updateRow(id, data);
  }

  async setSecret(id: string, secretEnc: string): Promise<StoredFrontend | null> {
    return this.updateRow(id, { secretEnc });
  }

  private async updateRow(id: string, data: Prisma.FrontendUpdateInput): Promise<StoredFrontend | null> {
    const { count } = await this.prisma.frontend.updateMany({ where: { id }, data });
    return count ? this.findById(id) : null;
  }
}

function createData(s: FrontendSettings, publicKey: string, secretEnc: string): Prisma.FrontendCreateInput {
  return {
    name: s.name,
    publicKey,
    secretEnc,
    allowedOrigins: s.allowedOrigins,
    connectInstanceId: s.connect.instanceId,
    connectContactFlowId: s.connect.contactFlowId,
    connectRegion: s.connect.region,
    supportedContentTypes: s.connect.supportedContentTypes,
    attributeKeys: s.attributeKeys,
    retentionDays: s.retentionDays,
    redaction: jsonOrNull(s.redaction),
  };
}

function jsonOrNull(value: RedactionConfig | null): Prisma.InputJsonValue | typeof Prisma.DbNull {
  return value === null ? Prisma.DbNull : (value as unknown as Prisma.InputJsonValue);
}

function toDomain(row: FrontendRow): StoredFrontend {
  return {
    id: row.id,
    name: row.name,
    publicKey: row.publicKey,
    secretEnc: row.secretEnc,
    allowedOrigins: row.allowedOrigins,
    connect: {
      instanceId: row.connectInstanceId,
      contactFlowId: row.connectContactFlowId,
      region: row.connectRegion,
      supportedContentTypes: row.supportedContentTypes,
    },
    attributeKeys: row.attributeKeys,
    retentionDays: row.retentionDays,
    redaction: (row.redaction ?? null) as unknown as RedactionConfig | null,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

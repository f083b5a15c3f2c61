import { Controller, Get, Query, Req } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { ParamReader } from '../auth/staff-params.js';
import { CurrentStaff, StaffOnly } from '../auth/staff.decorators.js';
import { requireUnlimited } from '../auth/staff-principal.js';
import type { StaffPrincipal } from '../auth/staff-principal.js';
import { AuditService } from './audit.service.js';
import type { AuditQuery } from './audit.service.js';
import { clientIp, staffActor } from './audit-actor.js';

class AuditEntryResponse {
  @ApiProperty() id!: string;
  @ApiProperty() at!: string;
  @ApiProperty({ example: 'staff:bootstrap-admin' }) actor!: string;
  @ApiProperty({ example: 'chat.view' }) action!: string;
  @ApiProperty({ nullable: true, type: String }) target!: string | null;
  @ApiProperty({ nullable: true, type: String }) chatId!: string | null;
  @ApiProperty({ nullable: true, type: String }) frontendId!: string | null;
  @ApiProperty({ nullable: true, type: String }) ip!: string | null;
  @ApiProperty({ nullable: true, type: Object }) details!: unknown;
}

class AuditListResponse {
  @ApiProperty({ type: [AuditEntryResponse] }) entries!: AuditEntryResponse[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

/** The audit trail, newest first. Admin only: it names every front end's chats and every actor. */
@ApiTags('staff audit')
@StaffOnly('admin')
@Controller('v1/admin/audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @ApiQuery({ name: 'actor', required: false, example: 'staff:bootstrap-admin' })
  @ApiQuery({ name: 'action', required: false, example: 'chat.export' })
  @ApiQuery({ name: 'chatId', required: false })
  @ApiQuery({ name: 'from', required: false, description: 'inclusive, ISO-8601' })
  @ApiQuery({ name: 'to', required: false, description: 'exclusive, ISO-8601' })
  @ApiQuery({ name: 'cursor', required: false })
  @ApiQuery({ name: 'limit', required: false, description: '1..500, default 100' })
  @ApiOkResponse({ type: AuditListResponse })
  async list(@CurrentStaff() staff: StaffPrincipal, @Req() req: Request, @Query() query: Record<string, unknown>): Promise<AuditListResponse> {
    requireUnlimited(staff);
    const q = parseAuditQuery(query);
    const page = await this.audit.list(q);
    const filters = jsonDates({ actor: q.actor, action: q.action, chatId: q.chatId, from: q.from, to: q.to });
    await this.audit.record({ actor: staffActor(staff), action: 'audit.search', ip: clientIp(req), details: { filters, results: page.entries.length } });
    return page;
  }
}

export function parseAuditQuery(query: Record<string, unknown>): AuditQuery {
  const r = new ParamReader(query);
  const q: AuditQuery = {
    actor: r.string('actor', { max: 200 }),
    action: r.string('action', { max: 100 }),
    chatId: r.uuid('chatId'),
    from: r.date('from'),
    to: r.date('to'),
    cursor: r.string('cursor', { max: 512 }),
    limit: r.int('limit', 1, 500) ?? 100,
  };
  r.done();
  return q;
}

function jsonDates(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v instanceof Date ? v.toISOString() : v;
  return out;
}

import { Body, Controller, Delete, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { clientIp } from '../audit/audit-actor.js';
import { AppError } from '../common/app-error.js';
import { isUuid } from './staff-params.js';
import { CurrentStaff, StaffOnly } from './staff.decorators.js';
import { requireUnlimited } from './staff-principal.js';
import type { StaffPrincipal } from './staff-principal.js';
import {
  CreateStaffTokenBody, CreatedStaffTokenResponse, StaffTokenListResponse, parseCreateStaffToken,
} from './staff-tokens.dto.js';
import { StaffTokensService } from './staff-tokens.service.js';

@ApiTags('staff tokens')
@StaffOnly('admin')
@Controller('v1/admin/tokens')
export class StaffTokensController {
  constructor(private readonly tokens: StaffTokensService) {}

  @Post()
  @ApiCreatedResponse({ type: CreatedStaffTokenResponse })
  create(@CurrentStaff() staff: StaffPrincipal, @Req() req: Request, @Body() body: CreateStaffTokenBody): Promise<CreatedStaffTokenResponse> {
    requireUnlimited(staff);
    return this.tokens.create(staff, clientIp(req), parseCreateStaffToken(body));
  }

  @Get()
  @ApiOkResponse({ type: StaffTokenListResponse, description: 'Never the tokens or their hashes.' })
  async list(@CurrentStaff() staff: StaffPrincipal, @Req() req: Request): Promise<StaffTokenListResponse> {
    requireUnlimited(staff);
    return { tokens: await this.tokens.list(staff, clientIp(req)) };
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Revoked (immediately).' })
  @ApiNotFoundResponse()
  async revoke(@CurrentStaff() staff: StaffPrincipal, @Req() req: Request, @Param('id') id: string): Promise<void> {
    requireUnlimited(staff);
    if (!isUuid(id)) throw AppError.validation([{ field: 'id', message: 'must be a UUID' }]);
    await this.tokens.revoke(staff, clientIp(req), id);
  }
}

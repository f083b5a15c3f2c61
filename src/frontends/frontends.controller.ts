import { Body, Controller, Get, HttpCode, Param, Patch, Post, Req } from '@nestjs/common';
import {
  ApiBadRequestResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { clientIp } from '../audit/audit-actor.js';
import { CurrentStaff, StaffOnly } from '../auth/staff.decorators.js';
import type { StaffPrincipal } from '../auth/staff-principal.js';
import {
  CreateFrontendBody, FrontendListResponse, FrontendResponse, FrontendWithSecretResponse, UpdateFrontendBody,
  toResponse, toSecretResponse,
} from './frontend.dto.js';
import { FrontendAdminService } from './frontend-admin.service.js';
import { validateCreate, validatePatch } from './frontend-validation.js';

/** Admin management of front ends (CONTRACT.md §1, §4). Secrets appear only in create and rotate answers. */
@ApiTags('front ends')
@StaffOnly('admin')
@Controller('v1/admin/frontends')
export class FrontendsController {
  constructor(private readonly admin: FrontendAdminService) {}

  @Post()
  @ApiOperation({ summary: 'Create a front end; the answer shows its secret once' })
  @ApiCreatedResponse({ type: FrontendWithSecretResponse })
  @ApiBadRequestResponse({ description: 'VALIDATION_FAILED with details per field' })
  async create(@CurrentStaff() staff: StaffPrincipal, @Req() req: Request, @Body() body: CreateFrontendBody): Promise<FrontendWithSecretResponse> {
    const { frontend, secret } = await this.admin.create(staff, clientIp(req), validateCreate(body));
    return toSecretResponse(frontend, secret);
  }

  @Get()
  @ApiOperation({ summary: 'List front ends (never their secrets)' })
  @ApiOkResponse({ type: FrontendListResponse })
  async list(@CurrentStaff() staff: StaffPrincipal): Promise<FrontendListResponse> {
    return { frontends: (await this.admin.list(staff)).map(toResponse) };
  }

  @Get(':id')
  @ApiOkResponse({ type: FrontendResponse })
  @ApiNotFoundResponse({ description: 'NOT_FOUND' })
  async get(@CurrentStaff() staff: StaffPrincipal, @Param('id') id: string): Promise<FrontendResponse> {
    return toResponse(await this.admin.get(staff, id));
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change some settings; connect fields may be given one by one' })
  @ApiOkResponse({ type: FrontendResponse })
  @ApiBadRequestResponse({ description: 'VALIDATION_FAILED with details per field' })
  @ApiNotFoundResponse({ description: 'NOT_FOUND' })
  async update(@CurrentStaff() staff: StaffPrincipal, @Req() req: Request, @Param('id') id: string, @Body() body: UpdateFrontendBody): Promise<FrontendResponse> {
    return toResponse(await this.admin.update(staff, clientIp(req), id, validatePatch(body)));
  }

  @Post(':id/rotate-secret')
  @HttpCode(200)
  @ApiOperation({ summary: 'Replace the signing secret; the old one stops working immediately' })
  @ApiOkResponse({ type: FrontendWithSecretResponse })
  @ApiNotFoundResponse({ description: 'NOT_FOUND' })
  async rotateSecret(@CurrentStaff() staff: StaffPrincipal, @Req() req: Request, @Param('id') id: string): Promise<FrontendWithSecretResponse> {
    const { frontend, secret } = await this.admin.rotateSecret(staff, clientIp(req), id);
    return toSecretResponse(frontend, secret);
  }
}

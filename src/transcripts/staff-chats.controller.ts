import { Controller, Delete, Get, HttpCode, Logger, Param, Query, Req, Res } from '@nestjs/common';
import {
  ApiConflictResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiProduces, ApiQuery, ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { clientIp } from '../audit/audit-actor.js';
import { CurrentStaff, StaffOnly } from '../auth/staff.decorators.js';
import type { StaffPrincipal } from '../auth/staff-principal.js';
import { ChatErasureService } from './chat-erasure.service.js';
import {
  CHAT_STATUSES, StaffChatListResponse, StaffTranscriptResponse, parseChatId, parseChatSearch, parseExportFormat, parseForce,
} from './staff-chats.dto.js';
import { StaffChatsService } from './staff-chats.service.js';
import type { Caller } from './staff-chats.service.js';
import { contentTypeOf } from './transcript-format.js';

@ApiTags('staff chats')
@StaffOnly()
@Controller('v1/admin/chats')
export class StaffChatsController {
  private readonly log = new Logger(StaffChatsController.name);

  constructor(
    private readonly chats: StaffChatsService,
    private readonly erasure: ChatErasureService,
  ) {}

  @Get()
  @ApiQuery({ name: 'frontendId', required: false })
  @ApiQuery({ name: 'status', required: false, enum: CHAT_STATUSES })
  @ApiQuery({ name: 'from', required: false, description: 'startedAt ≥ from (ISO-8601)' })
  @ApiQuery({ name: 'to', required: false, description: 'startedAt < to (ISO-8601)' })
  @ApiQuery({ name: 'q', required: false, description: 'Full-text search: words (all must occur in one item), "quoted phrases", or, -word' })
  @ApiQuery({ name: 'customerId', required: false })
  @ApiQuery({ name: 'contactId', required: false })
  @ApiQuery({ name: 'cursor', required: false })
  @ApiQuery({ name: 'limit', required: false, description: '1..100, default 50' })
  @ApiOkResponse({ type: StaffChatListResponse })
  search(@CurrentStaff() staff: StaffPrincipal, @Req() req: Request, @Query() query: Record<string, unknown>): Promise<StaffChatListResponse> {
    return this.chats.search(caller(staff, req), parseChatSearch(query));
  }

  @Get(':chatId')
  @ApiOkResponse({ type: StaffTranscriptResponse })
  @ApiNotFoundResponse()
  async view(@CurrentStaff() staff: StaffPrincipal, @Req() req: Request, @Res() res: Response, @Param('chatId') chatId: string): Promise<void> {
    const { chunks } = await this.chats.transcript(caller(staff, req), parseChatId(chatId), 'json', false);
    res.status(200).type(contentTypeOf('json'));
    await this.stream(chunks, res, chatId);
  }

  @Get(':chatId/export')
  @ApiQuery({ name: 'format', required: false, enum: ['json', 'csv', 'txt'] })
  @ApiProduces('application/json', 'text/csv', 'text/plain')
  @ApiOkResponse({ description: 'Download (content-disposition: attachment), streamed.' })
  @ApiNotFoundResponse()
  async export(
    @CurrentStaff() staff: StaffPrincipal, @Req() req: Request, @Res() res: Response,
    @Param('chatId') chatId: string, @Query() query: Record<string, unknown>,
  ): Promise<void> {
    const id = parseChatId(chatId);
    const format = parseExportFormat(query);
    const { chunks } = await this.chats.transcript(caller(staff, req), id, format, true);
    res.status(200).type(contentTypeOf(format));
    res.setHeader('content-disposition', `attachment; filename="chat-${id}.${format}"`);
    res.setHeader('cache-control', 'no-store');
    await this.stream(chunks, res, id);
  }

  @Delete(':chatId')
  @StaffOnly('admin')
  @HttpCode(204)
  @ApiQuery({ name: 'force', required: false, description: 'true: end an active chat first' })
  @ApiNoContentResponse({ description: 'Erased.' })
  @ApiConflictResponse({ description: 'CONFLICT: the chat has not ended and force is not set' })
  @ApiNotFoundResponse()
  erase(@CurrentStaff() staff: StaffPrincipal, @Req() req: Request, @Param('chatId') chatId: string, @Query() query: Record<string, unknown>): Promise<void> {
    return this.erasure.erase(caller(staff, req), parseChatId(chatId), parseForce(query));
  }

  /** Streams with backpressure; a failure mid-way aborts the response so a client never takes a truncated file for a whole one. */
  private async stream(chunks: AsyncIterable<string>, res: Response, chatId: string): Promise<void> {
    try {
      await pipeline(Readable.from(chunks), res);
    } catch (err) {
      this.log.warn({ err, chatId }, 'transcript stream aborted');
      res.destroy();
    }
  }
}

function caller(staff: StaffPrincipal, req: Request): Caller {
  return { staff, ip: clientIp(req) };
}

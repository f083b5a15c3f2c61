import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiHeader, ApiOkResponse, ApiCreatedResponse, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ChatViewDto, EndChatResponseDto, ErrorResponseDto, ItemsPageDto, SendMessageRequestDto, SendMessageResponseDto, StartChatRequestDto, StartChatResponseDto } from './chat.dto.js';
import { SkipThrottle, ThrottlerGuard } from '@nestjs/throttler';
import type { Response } from 'express';
import type { ChatItemDto } from '../transcripts/chat-item.js';
import { bearerToken } from '../auth/staff-auth.service.js';
import { ChatAccessService } from './chat-access.service.js';
import { ChatActionsService } from './chat-actions.service.js';
import type { ChatView } from './chat-actions.service.js';
import { ChatStartService } from './chat-start.service.js';
import type { StartChatResult } from './chat-start.service.js';

/** The widget REST API (CONTRACT.md §2). Thin: authorise, then one service call. */
@ApiTags('widget')
@ApiResponse({ status: 400, type: ErrorResponseDto, description: 'VALIDATION_FAILED' })
@ApiResponse({ status: 401, type: ErrorResponseDto, description: 'UNAUTHENTICATED' })
@ApiResponse({ status: 403, type: ErrorResponseDto, description: 'FORBIDDEN: origin not allowed' })
@Controller('v1/chats')
export class ChatsController {
  constructor(
    private readonly starter: ChatStartService,
    private readonly access: ChatAccessService,
    private readonly actions: ChatActionsService,
  ) {}

  @Post()
  @UseGuards(ThrottlerGuard)
  @ApiOperation({ summary: 'Start (or resume) a chat' })
  @ApiHeader({ name: 'x-frontend-key', required: true })
  @ApiHeader({ name: 'idempotency-key', required: false })
  @ApiBody({ type: StartChatRequestDto })
  @ApiCreatedResponse({ type: StartChatResponseDto })
  @ApiOkResponse({ type: StartChatResponseDto, description: 'resume returned an existing chat' })
  @ApiResponse({ status: 409, type: ErrorResponseDto, description: 'CONFLICT: idempotency-key reused' })
  @ApiResponse({ status: 429, type: ErrorResponseDto, description: 'RATE_LIMITED' })
  async start(
    @Headers('x-frontend-key') key: string | undefined,
    @Headers('origin') origin: string | undefined,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Body() body: unknown,
    @Res({ passthrough: true }) res: Response,
  ): Promise<StartChatResult['body']> {
    const result = await this.starter.startFromRequest(key, origin, body, idempotencyKey);
    res.status(result.status);
    return result.body;
  }

  @Get(':chatId')
  @SkipThrottle()
  @ApiBearerAuth()
  @ApiOkResponse({ type: ChatViewDto })
  async get(@Param('chatId') chatId: string, @Headers('authorization') auth?: string, @Headers('origin') origin?: string): Promise<ChatView> {
    return this.actions.view(await this.access.authorize(bearerToken(auth), origin, chatId));
  }

  @Get(':chatId/items')
  @SkipThrottle()
  @ApiBearerAuth()
  @ApiQuery({ name: 'afterSeq', required: false, type: Number })
  @ApiQuery({ name: 'limit', required: false, type: Number, description: '1..500, default 100' })
  @ApiOkResponse({ type: ItemsPageDto })
  async items(@Param('chatId') chatId: string, @Query() query: Record<string, unknown>, @Headers('authorization') auth?: string,
    @Headers('origin') origin?: string): Promise<{ items: ChatItemDto[]; hasMore: boolean }> {
    return this.actions.itemsAfter(await this.access.authorize(bearerToken(auth), origin, chatId), query);
  }

  @Post(':chatId/messages')
  @HttpCode(201)
  @ApiBearerAuth()
  @ApiBody({ type: SendMessageRequestDto })
  @ApiCreatedResponse({ type: SendMessageResponseDto })
  @ApiResponse({ status: 409, type: ErrorResponseDto, description: 'CONFLICT (clientMessageId reused) or CHAT_ENDED' })
  @ApiResponse({ status: 413, type: ErrorResponseDto, description: 'PAYLOAD_TOO_LARGE' })
  async send(@Param('chatId') chatId: string, @Body() body: unknown, @Headers('authorization') auth?: string,
    @Headers('origin') origin?: string): Promise<{ item: ChatItemDto }> {
    return { item: await this.actions.send(await this.access.authorize(bearerToken(auth), origin, chatId), body) };
  }

  @Post(':chatId/end')
  @HttpCode(200)
  @ApiBearerAuth()
  @ApiOkResponse({ type: EndChatResponseDto })
  async end(@Param('chatId') chatId: string, @Headers('authorization') auth?: string, @Headers('origin') origin?: string): Promise<{ status: string }> {
    return this.actions.end(await this.access.authorize(bearerToken(auth), origin, chatId));
  }
}

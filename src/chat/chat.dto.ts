import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

// OpenAPI shapes of the widget API (CONTRACT.md §2). Validation is done by widget-validation.ts,
// which gives the contract's field-level error details.

export class CustomerIdentityDto {
  @ApiProperty({ example: 'cust-42', minLength: 1, maxLength: 256 }) id!: string;
  @ApiProperty({ example: 1795680000, description: 'Unix seconds' }) issuedAt!: number;
  @ApiProperty({ description: 'lowercase hex HMAC-SHA256 of "<id>.<issuedAt>" keyed with the front end secret' }) signature!: string;
}

export class MessageContentDto {
  @ApiPropertyOptional({ default: 'text/plain', enum: ['text/plain', 'text/markdown', 'application/json', 'application/vnd.amazonaws.connect.message.interactive.response'] })
  contentType?: string;

  @ApiProperty({ description: 'text/plain and text/markdown: 1..1024; application/json: 1..12000; interactive.response: 1..12288' })
  content!: string;
}

export class StartChatRequestDto {
  @ApiProperty({ example: 'Jane', minLength: 1, maxLength: 256 }) displayName!: string;
  @ApiPropertyOptional({ type: CustomerIdentityDto }) customer?: CustomerIdentityDto;
  @ApiPropertyOptional({ example: { orderId: 'A-1001' }, description: 'only keys the front end allows' }) attributes?: Record<string, string>;
  @ApiPropertyOptional({ type: MessageContentDto }) initialMessage?: MessageContentDto;
  @ApiPropertyOptional({ description: 'with a verified customer: return their open chat, if any (200)' }) resume?: boolean;
}

export class StartChatResponseDto {
  @ApiProperty({ format: 'uuid' }) chatId!: string;
  @ApiProperty({ description: 'Bearer token for this chat only' }) sessionToken!: string;
  @ApiProperty({ description: 'Connect initial contact id' }) contactId!: string;
  @ApiProperty({ enum: ['starting', 'active', 'ending', 'ended'] }) status!: string;
  @ApiProperty({ format: 'date-time' }) expiresAt!: string;
}

export class ChatViewDto {
  @ApiProperty({ format: 'uuid' }) chatId!: string;
  @ApiProperty({ enum: ['starting', 'active', 'ending', 'ended'] }) status!: string;
  @ApiProperty() displayName!: string;
  @ApiProperty({ format: 'date-time' }) startedAt!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) endedAt!: string | null;
  @ApiProperty() lastSeq!: number;
  @ApiPropertyOptional({ description: 'the chat ended while no gateway held it; later items are missing' }) transcriptIncomplete?: boolean;
}

export class AttachmentDtoDoc {
  @ApiProperty() attachmentId!: string;
  @ApiProperty() name!: string;
  @ApiProperty() contentType!: string;
  @ApiProperty() status!: string;
}

export class ReceiptsDoc {
  @ApiPropertyOptional({ format: 'date-time' }) deliveredAt?: string;
  @ApiPropertyOptional({ format: 'date-time' }) readAt?: string;
}

export class ChatItemDoc {
  @ApiProperty({ description: 'per chat, from 1, gapless' }) seq!: number;
  @ApiProperty({ description: 'Connect item Id' }) id!: string;
  @ApiProperty({ enum: ['MESSAGE', 'EVENT', 'ATTACHMENT'] }) type!: string;
  @ApiPropertyOptional() contentType?: string;
  @ApiPropertyOptional() content?: string;
  @ApiPropertyOptional({ enum: ['CUSTOMER', 'AGENT', 'SYSTEM', 'CUSTOM_BOT', 'SUPERVISOR'] }) participantRole?: string;
  @ApiPropertyOptional() participantId?: string;
  @ApiPropertyOptional() displayName?: string;
  @ApiProperty({ format: 'date-time' }) absoluteTime!: string;
  @ApiPropertyOptional({ type: [AttachmentDtoDoc] }) attachments?: AttachmentDtoDoc[];
  @ApiPropertyOptional() clientMessageId?: string;
  @ApiPropertyOptional({ type: ReceiptsDoc }) receipts?: ReceiptsDoc;
}

export class ItemsPageDto {
  @ApiProperty({ type: [ChatItemDoc] }) items!: ChatItemDoc[];
  @ApiProperty() hasMore!: boolean;
}

export class SendMessageRequestDto extends MessageContentDto {
  @ApiProperty({ minLength: 1, maxLength: 64, description: 'idempotency: the same id returns the same item' }) clientMessageId!: string;
}

export class SendMessageResponseDto {
  @ApiProperty({ type: ChatItemDoc }) item!: ChatItemDoc;
}

export class EndChatResponseDto {
  @ApiProperty({ enum: ['ending', 'ended'] }) status!: string;
}

export class ErrorBodyDoc {
  @ApiProperty({ example: 'VALIDATION_FAILED' }) code!: string;
  @ApiProperty() message!: string;
  @ApiPropertyOptional({ example: [{ field: 'displayName', message: 'must be a string of 1 to 256 characters' }] }) details?: { field: string; message: string }[];
}

export class ErrorResponseDto {
  @ApiProperty({ type: ErrorBodyDoc }) error!: ErrorBodyDoc;
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CONTENT_TYPES } from './frontend.js';
import type { Frontend, RedactionConfig } from './frontend.js';

/** OpenAPI shapes of the admin front-end API. Bodies are checked by frontend-validation.ts. */
export class ConnectRoutingBody {
  @ApiProperty({ minLength: 1, maxLength: 256, example: 'a1b2c3d4-0000-1111-2222-333344445555' }) instanceId!: string;
  @ApiProperty({ minLength: 1, maxLength: 256, example: 'f1e2d3c4-0000-1111-2222-333344445555' }) contactFlowId!: string;
  @ApiProperty({ example: 'us-east-1' }) region!: string;
  @ApiPropertyOptional({ enum: CONTENT_TYPES, isArray: true, description: 'text/plain is always included; default: text/plain only.' })
  supportedContentTypes?: string[];
}

export class ConnectRoutingPatch {
  @ApiPropertyOptional({ minLength: 1, maxLength: 256 }) instanceId?: string;
  @ApiPropertyOptional({ minLength: 1, maxLength: 256 }) contactFlowId?: string;
  @ApiPropertyOptional({ example: 'eu-west-2' }) region?: string;
  @ApiPropertyOptional({ enum: CONTENT_TYPES, isArray: true }) supportedContentTypes?: string[];
}

const ORIGINS_DOC = 'Exact origins (scheme://host[:port], no path, no trailing slash); "*" allows any origin.';
const ATTRIBUTE_KEYS_DOC = 'Contact attributes a browser may set: 1..128 of [A-Za-z0-9_.-]; gatewayFrontendId and gatewayCustomerId are reserved.';
const REDACTION_DOC = 'Redaction settings (detectors card, email, phone, custom patterns); null: off.';

export class CreateFrontendBody {
  @ApiProperty({ minLength: 1, maxLength: 100, example: 'Shop' }) name!: string;
  @ApiProperty({ type: [String], description: ORIGINS_DOC, example: ['https://shop.example.com'] }) allowedOrigins!: string[];
  @ApiProperty({ type: ConnectRoutingBody }) connect!: ConnectRoutingBody;
  @ApiPropertyOptional({ type: [String], description: ATTRIBUTE_KEYS_DOC, example: ['orderId'] }) attributeKeys?: string[];
  @ApiPropertyOptional({ type: Number, nullable: true, minimum: 1, maximum: 36500, description: 'null or absent: keep forever.' })
  retentionDays?: number | null;
  @ApiPropertyOptional({ type: Object, nullable: true, description: REDACTION_DOC }) redaction?: Record<string, unknown> | null;
}

export class UpdateFrontendBody {
  @ApiPropertyOptional({ minLength: 1, maxLength: 100 }) name?: string;
  @ApiPropertyOptional({ type: [String], description: ORIGINS_DOC }) allowedOrigins?: string[];
  @ApiPropertyOptional({ type: ConnectRoutingPatch, description: 'Only the fields given change.' }) connect?: ConnectRoutingPatch;
  @ApiPropertyOptional({ type: [String], description: ATTRIBUTE_KEYS_DOC }) attributeKeys?: string[];
  @ApiPropertyOptional({ type: Number, nullable: true, minimum: 1, maximum: 36500, description: 'null: keep forever.' })
  retentionDays?: number | null;
  @ApiPropertyOptional({ type: Object, nullable: true, description: REDACTION_DOC }) redaction?: Record<string, unknown> | null;
}

export class ConnectRoutingResponse {
  @ApiProperty() instanceId!: string;
  @ApiProperty() contactFlowId!: string;
  @ApiProperty() region!: string;
  @ApiProperty({ enum: CONTENT_TYPES, isArray: true }) supportedContentTypes!: string[];
}

export class FrontendResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ description: 'Publishable key (pk_…) for the x-frontend-key header.' }) publicKey!: string;
  @ApiProperty({ type: [String] }) allowedOrigins!: string[];
  @ApiProperty({ type: ConnectRoutingResponse }) connect!: ConnectRoutingResponse;
  @ApiProperty({ type: [String] }) attributeKeys!: string[];
  @ApiProperty({ type: Number, nullable: true }) retentionDays!: number | null;
  @ApiProperty({ type: Object, nullable: true }) redaction!: RedactionConfig | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class FrontendWithSecretResponse extends FrontendResponse {
  @ApiProperty({ description: 'The signing secret (sk_…): shown only in this response. Store it on your backend.' }) secret!: string;
}

export class FrontendListResponse {
  @ApiProperty({ type: [FrontendResponse] }) frontends!: FrontendResponse[];
}

export class DemoConfigDto {
  @ApiProperty({ description: 'The demo front end\'s publishable key.' }) publicKey!: string;
  @ApiProperty({ required: false, description: 'The bundled emulator\'s agent console, when it runs.' }) agentConsoleUrl?: string;
}

export function toResponse(f: Frontend): FrontendResponse {
  return {
    id: f.id,
    name: f.name,
    publicKey: f.publicKey,
    allowedOrigins: f.allowedOrigins,
    connect: { ...f.connect },
    attributeKeys: f.attributeKeys,
    retentionDays: f.retentionDays,
    redaction: f.redaction,
    createdAt: f.createdAt.toISOString(),
    updatedAt: f.updatedAt.toISOString(),
  };
}

export function toSecretResponse(f: Frontend, secret: string): FrontendWithSecretResponse {
  return { ...toResponse(f), secret };
}

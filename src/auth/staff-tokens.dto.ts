import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ParamReader, isUuid } from './staff-params.js';
import { STAFF_ROLES } from './staff-principal.js';
import type { StaffRole } from './staff-principal.js';
import type { NewStaffToken } from './staff-tokens.service.js';

export class CreateStaffTokenBody {
  @ApiProperty({ minLength: 1, maxLength: 128, example: 'QA reviewer Anna' })
  name!: string;

  @ApiProperty({ enum: STAFF_ROLES })
  role!: StaffRole;

  @ApiPropertyOptional({ type: [String], format: 'uuid', description: 'Front ends the token is limited to; absent or empty: every front end.' })
  frontendIds?: string[];
}

export class StaffTokenResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: STAFF_ROLES }) role!: StaffRole;
  @ApiProperty({ type: [String], description: 'Empty: every front end.' }) frontendIds!: string[];
  @ApiProperty({ nullable: true, type: String }) createdBy!: string | null;
  @ApiProperty() createdAt!: string;
  @ApiProperty({ nullable: true, type: String }) lastUsedAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) revokedAt!: string | null;
}

export class CreatedStaffTokenResponse extends StaffTokenResponse {
  @ApiProperty({ description: 'The token itself: shown only in this response.' }) token!: string;
}

export class StaffTokenListResponse {
  @ApiProperty({ type: [StaffTokenResponse] }) tokens!: StaffTokenResponse[];
}

export function parseCreateStaffToken(body: unknown): NewStaffToken {
  const r = ParamReader.of(body).only(['name', 'role', 'frontendIds']);
  const name = r.string('name', { required: true, max: 128 })?.trim();
  if (name === '') r.problem('name', 'must not be blank');
  const role = r.oneOf('role', STAFF_ROLES, true);
  const frontendIds = r.stringArray('frontendIds', { maxItems: 100, each: (v) => (isUuid(v) ? null : 'must be a UUID') }) ?? [];
  r.done();
  return { name: name!, role: role!, frontendIds: [...new Set(frontendIds.map((id) => id.toLowerCase()))] };
}

import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { CurrentStaff, StaffOnly } from './staff.decorators.js';
import { STAFF_ROLES } from './staff-principal.js';
import type { StaffPrincipal, StaffRole } from './staff-principal.js';

class StaffMeResponse {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: STAFF_ROLES }) role!: StaffRole;
  @ApiProperty({ nullable: true, type: [String], description: 'null: every front end' }) frontendIds!: string[] | null;
}

/** Who the token belongs to (the staff page's sign-in check); reads no transcript data, so not audited. */
@ApiTags('staff tokens')
@StaffOnly()
@Controller('v1/admin/me')
export class StaffMeController {
  @Get()
  @ApiOkResponse({ type: StaffMeResponse })
  me(@CurrentStaff() staff: StaffPrincipal): StaffMeResponse {
    return { id: staff.id, name: staff.name, role: staff.role, frontendIds: staff.frontendIds };
  }
}

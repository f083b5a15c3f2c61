import { Global, Module } from '@nestjs/common';
import { StaffAuthService } from './staff-auth.service.js';
import { StaffGuard } from './staff.guard.js';
import { StaffMeController } from './staff-me.controller.js';
import { StaffTokensController } from './staff-tokens.controller.js';
import { StaffTokensRepository } from './staff-tokens.repository.js';
import { StaffTokensService } from './staff-tokens.service.js';

/** Staff authentication (global: any module may use @StaffOnly) and staff-token management. */
@Global()
@Module({
  controllers: [StaffTokensController, StaffMeController],
  providers: [StaffTokensRepository, StaffAuthService, StaffGuard, StaffTokensService],
  exports: [StaffAuthService, StaffGuard],
})
export class AuthModule {}

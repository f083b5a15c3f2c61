import { Module } from '@nestjs/common';
import { DemoConfigController } from './demo-config.controller.js';
import { DemoFrontendSeeder } from './demo-frontend.seeder.js';
import { FrontendAdminService } from './frontend-admin.service.js';
import { FrontendsController } from './frontends.controller.js';
import { FrontendsRepository } from './frontends.repository.js';
import { FrontendsService } from './frontends.service.js';

/** The front-end registry: keys, secrets, origins, Connect routing (CONTRACT.md §1). */
@Module({
  controllers: [FrontendsController, DemoConfigController],
  providers: [FrontendsRepository, FrontendsService, FrontendAdminService, DemoFrontendSeeder],
  exports: [FrontendsService],
})
export class FrontendsModule {}

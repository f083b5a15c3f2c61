import { Controller, Get, Inject } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AppError } from '../common/app-error.js';
import { CONNECT_TARGET } from '../config/config.module.js';
import type { ConnectTarget } from '../config/config.module.js';
import { DemoConfigDto } from './frontend.dto.js';
import { FrontendsService } from './frontends.service.js';

/** Public: lets the demo page find the demo front end's publishable key (emulator mode only). */
@ApiTags('demo')
@Controller('v1/demo')
export class DemoConfigController {
  constructor(private readonly frontends: FrontendsService, @Inject(CONNECT_TARGET) private readonly connect: ConnectTarget) {}

  @Get('config')
  @ApiOperation({ summary: 'The demo front end\'s public key (emulator mode only)' })
  @ApiOkResponse({ type: DemoConfigDto })
  @ApiNotFoundResponse({ description: 'NOT_FOUND: no demo front end (or not in emulator mode)' })
  async config(): Promise<DemoConfigDto> {
    const demo = await this.frontends.demoFrontend();
    if (!demo) throw new AppError('NOT_FOUND', 'There is no demo front end.');
    const agentConsoleUrl = this.connect.emulator && this.connect.endpoint ? `${this.connect.endpoint}/emulator/` : undefined;
    return { publicKey: demo.publicKey, ...(agentConsoleUrl ? { agentConsoleUrl } : {}) };
  }
}

import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import type { Response } from 'express';
import { StaticFiles } from '../common/static-files.js';

const files = new StaticFiles(new URL('../../public/demo/', import.meta.url), {
  'index.html': 'text/html; charset=utf-8',
  'demo.js': 'text/javascript; charset=utf-8',
  'demo.css': 'text/css; charset=utf-8',
});

/** The demo widget at `/` (plain HTML + the Socket.IO client the server itself serves). */
@ApiExcludeController()
@SkipThrottle()
@Controller()
export class DemoPageController {
  @Get()
  index(@Res() res: Response): Promise<void> {
    return files.send(res, 'index.html');
  }

  @Get('demo/:file')
  file(@Res() res: Response, @Param('file') file: string): Promise<void> {
    return files.send(res, file);
  }
}

import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { StaticFiles } from '../common/static-files.js';

const files = new StaticFiles(new URL('../../public/admin/', import.meta.url), {
  'index.html': 'text/html; charset=utf-8',
  'admin.js': 'text/javascript; charset=utf-8',
  'admin.css': 'text/css; charset=utf-8',
});

/** The staff page: a fixed set of static files from public/admin/, no build step. */
@ApiExcludeController()
@Controller('admin')
export class AdminPageController {
  @Get()
  async index(@Res() res: Response): Promise<void> {
    // Relative asset URLs need the trailing slash.
    if (!res.req.originalUrl.split('?')[0]!.endsWith('/')) return res.redirect(301, '/admin/');
    await files.send(res, 'index.html');
  }

  @Get(':file')
  file(@Res() res: Response, @Param('file') file: string): Promise<void> {
    return files.send(res, file);
  }
}

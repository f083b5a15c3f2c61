import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { readFile } from 'node:fs/promises';
import { AppError } from '../common/app-error.js';

const PAGE_DIR = new URL('../../public/admin/', import.meta.url);
const FILES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'admin.js': 'text/javascript; charset=utf-8',
  'admin.css': 'text/css; charset=utf-8',
};

/** Scripts and styles only from files of this origin: no inline code, no eval, no framing. */
export const ADMIN_CSP = [
  "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self'", "connect-src 'self'",
  "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
].join('; ');

/** The staff page: a fixed set of static files from public/admin/, no build step. */
@ApiExcludeController()
@Controller('admin')
export class AdminPageController {
  private readonly cache = new Map<string, Buffer>();

  @Get()
  async index(@Res() res: Response): Promise<void> {
    // Relative asset URLs need the trailing slash.
    if (!res.req.originalUrl.split('?')[0]!.endsWith('/')) return res.redirect(301, '/admin/');
    await this.send(res, 'index.html');
  }

  @Get(':file')
  async file(@Res() res: Response, @Param('file') file: string): Promise<void> {
    if (!Object.hasOwn(FILES, file)) throw new AppError('NOT_FOUND', 'Not found.');
    await this.send(res, file);
  }

  private async send(res: Response, file: string): Promise<void> {
    let body = this.cache.get(file);
    if (!body) {
      body = await readFile(new URL(file, PAGE_DIR));
      this.cache.set(file, body);
    }
    res.setHeader('content-security-policy', ADMIN_CSP);
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('referrer-policy', 'no-referrer');
    res.setHeader('x-frame-options', 'DENY');
    res.setHeader('cache-control', 'no-cache');
    res.type(FILES[file]!).send(body);
  }
}

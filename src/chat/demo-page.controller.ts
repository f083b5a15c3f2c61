import { readFile } from 'node:fs/promises';
import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import type { Response } from 'express';
import { AppError } from '../common/app-error.js';

const PAGE_DIR = new URL('../../public/demo/', import.meta.url);
const FILES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'demo.js': 'text/javascript; charset=utf-8',
  'demo.css': 'text/css; charset=utf-8',
};
const CSP = [
  "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self'", "connect-src 'self'",
  "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
].join('; ');

/** The demo widget at `/` (plain HTML + the Socket.IO client the server itself serves). */
@ApiExcludeController()
@SkipThrottle()
@Controller()
export class DemoPageController {
  private readonly cache = new Map<string, Buffer>();

  @Get()
  index(@Res() res: Response): Promise<void> {
    return this.send(res, 'index.html');
  }

  @Get('demo/:file')
  file(@Res() res: Response, @Param('file') file: string): Promise<void> {
    if (!Object.hasOwn(FILES, file)) throw new AppError('NOT_FOUND', 'Not found.');
    return this.send(res, file);
  }

  private async send(res: Response, file: string): Promise<void> {
    let body = this.cache.get(file);
    if (!body) this.cache.set(file, (body = await readFile(new URL(file, PAGE_DIR))));
    res.setHeader('content-security-policy', CSP);
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('cache-control', 'no-cache');
    res.type(FILES[file]!).send(body);
  }
}

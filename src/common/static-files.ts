import { readFile } from 'node:fs/promises';
import type { Response } from 'express';
import { AppError } from './app-error.js';

/** Scripts and styles only from files of this origin: no inline code, no eval, no framing. */
export const PAGE_CSP = [
  "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self'", "connect-src 'self'",
  "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
].join('; ');

/** A fixed set of files of one folder under public/, served with strict security headers (no build step). */
export class StaticFiles {
  private readonly cache = new Map<string, Buffer>();

  constructor(private readonly dir: URL, private readonly types: Record<string, string>) {}

  async send(res: Response, file: string): Promise<void> {
    if (!Object.hasOwn(this.types, file)) throw new AppError('NOT_FOUND', 'Not found.');
    let body = this.cache.get(file);
    if (!body) this.cache.set(file, (body = await readFile(new URL(file, this.dir))));
    res.setHeader('content-security-policy', PAGE_CSP);
    res.setHeader('x-content-type-options', 'nosniff');
    // Not no-referrer: with it, browsers send `Origin: null` on same-origin POSTs, which the widget API refuses.
    res.setHeader('referrer-policy', 'same-origin');
    res.setHeader('x-frame-options', 'DENY');
    res.setHeader('cache-control', 'no-cache');
    res.type(this.types[file]!).send(body);
  }
}

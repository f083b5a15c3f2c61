import { Injectable } from '@nestjs/common';
import type { NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { FrontendsService } from '../frontends/frontends.service.js';

const ALLOWED_HEADERS = 'authorization, content-type, x-frontend-key, idempotency-key, x-request-id';

/**
 * CORS for the widget API: only origins some front end allows are reflected. Which front end a request
 * belongs to is decided by the handler (key or session token), which answers 403 for the wrong one.
 */
@Injectable()
export class WidgetCorsMiddleware implements NestMiddleware {
  constructor(private readonly frontends: FrontendsService) {}

  async use(req: Request, res: Response, next: NextFunction): Promise<void> {
    const origin = req.headers.origin;
    if (!origin) return next();
    res.setHeader('Vary', 'Origin');
    const known = await this.frontends.anyFrontendAllowsOrigin(origin).catch(() => false);
    if (known) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Expose-Headers', 'x-request-id, retry-after');
    }
    if (req.method !== 'OPTIONS') return next();
    if (!known) {
      res.status(403).json({ error: { code: 'FORBIDDEN', message: 'This origin is not allowed.' } });
      return;
    }
    res.setHeader('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
    res.setHeader('Access-Control-Allow-Headers', ALLOWED_HEADERS);
    res.setHeader('Access-Control-Max-Age', '600');
    res.status(204).end();
  }
}

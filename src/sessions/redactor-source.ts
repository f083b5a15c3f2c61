import { Injectable } from '@nestjs/common';
import { FrontendsService } from '../frontends/frontends.service.js';
import { createRedactor } from '../transcripts/redaction.js';
import type { Redactor } from './item-mapping.js';

/** The masking function for a front end's chats (CONTRACT.md §4 redaction), or null when off. */
@Injectable()
export class RedactorSource {
  constructor(private readonly frontends: FrontendsService) {}

  async forFrontend(frontendId: string): Promise<Redactor> {
    const frontend = await this.frontends.findById(frontendId);
    return createRedactor(frontend?.redaction);
  }
}

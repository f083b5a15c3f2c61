import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service.js';

/** What a socket handshake needs of its chat. */
export interface ChatAccessRecord {
  id: string;
  frontendId: string;
  endedAt: Date | null;
  supportedContentTypes: string[];
}

/** The chat reads of socket handshakes: raw SQL, many chats per statement (a reconnect storm is thousands). */
@Injectable()
export class ChatAccessRepository {
  constructor(private readonly prisma: PrismaService) {}

  async findMany(ids: string[]): Promise<ChatAccessRecord[]> {
    return this.prisma.$queryRawUnsafe<ChatAccessRecord[]>(
      `SELECT id, frontend_id AS "frontendId", ended_at AS "endedAt", supported_content_types AS "supportedContentTypes"
         FROM chats WHERE id = ANY($1::uuid[])`, ids);
  }
}

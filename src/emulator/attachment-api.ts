import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { OperationHandler, PublicBases } from './api-types.js';
import { conflict, serviceQuotaExceeded, validationError } from './aws-errors.js';
import type { ChatEngine } from './chat-engine.js';
import type { ContactStore } from './contact-store.js';
import { Attachment } from './contact-store.js';
import type { EmulatorConfig } from './emulator-config.js';
import { BodyTooLarge, readBody } from './http-util.js';
import { iso } from './item-format.js';
import type { TokenCodec } from './token-codec.js';
import { BodyReader } from './validation.js';

export const ATTACHMENT_PATH = '/emulator/attachments/';
const UPLOAD_URL_SECONDS = 300;

/** Attachment types Connect accepts (.csv .doc .docx .heic .jfif .jpeg .jpg .mov .mp4 .pdf .png .ppt .pptx .rtf .txt .wav .xls .xlsx). */
export const ATTACHMENT_TYPES = new Set([
  'text/csv',
  'application/msword',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'image/heic',
  'image/jpeg',
  'video/quicktime',
  'video/mp4',
  'application/pdf',
  'image/png',
  'application/vnd.ms-powerpoint',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'application/rtf',
  'text/rtf',
  'text/plain',
  'audio/wav',
  'audio/x-wav',
  'audio/vnd.wave',
  'application/vnd.ms-excel',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
]);

export interface AttachmentDeps {
  store: ContactStore;
  engine: ChatEngine;
  tokens: TokenCodec;
  config: () => EmulatorConfig;
  bases: PublicBases;
}

/** StartAttachmentUpload → PUT the bytes to our own presigned-style URL → CompleteAttachmentUpload → GetAttachment. */
export function attachmentApi(deps: AttachmentDeps): Record<string, OperationHandler> {
  const { engine, tokens, config, bases } = deps;
  return {
    StartAttachmentUpload: ({ raw, participant, host }) => {
      const body = BodyReader.of(raw, validationError);
      const contentType = body.string('ContentType', { min: 1, max: 255 });
      const size = body.optionalInt('AttachmentSizeInBytes', 1, Number.MAX_SAFE_INTEGER);
      if (size === undefined) throw body.error('AttachmentSizeInBytes', 'Member must not be null');
      const name = body.string('AttachmentName', { min: 1, max: 256 });
      const clientToken = body.optionalString('ClientToken', { min: 1, max: 500 }) ?? randomUUID();
      const p = participant!;
      const chat = p.chat;
      if (!ATTACHMENT_TYPES.has(contentType)) throw validationError(`Attachment content type ${contentType} is not supported`);
      const { maxBytes, perChat } = config().attachments;
      if (size > maxBytes) throw validationError(`Attachment size ${size} exceeds the limit of ${maxBytes} bytes`);
      let attachment = chat.attachments?.find((a) => a.startToken === clientToken && a.uploader === p);
      if (!attachment) {
        if ((chat.attachments?.length ?? 0) >= perChat) {
          throw serviceQuotaExceeded(`The number of attachments per contact exceeds the quota of ${perChat}`);
        }
        attachment = new Attachment(randomUUID(), name, contentType, size, p, clientToken);
        (chat.attachments ??= []).push(attachment);
      }
      const expiresAt = Date.now() + UPLOAD_URL_SECONDS * 1000;
      const token = tokens.issue('u', `${p.id}/${attachment.id}`, expiresAt);
      return {
        AttachmentId: attachment.id,
        UploadMetadata: {
          Url: `${bases.http(host)}${ATTACHMENT_PATH}${encodeURIComponent(token)}`,
          UrlExpiry: iso(expiresAt),
          HeadersToInclude: {
            'Content-Type': attachment.contentType,
            'Content-Length': String(attachment.size),
            'Content-Disposition': `attachment; filename="${encodeURIComponent(attachment.name)}"`,
            'x-amz-meta-contact_id': chat.contactId,
            'x-amz-meta-initial_contact_id': chat.initialContactId,
          },
        },
      };
    },

    CompleteAttachmentUpload: ({ raw, participant }) => {
      const body = BodyReader.of(raw, validationError);
      const ids = body.optionalStringList('AttachmentIds', { min: 1, max: 1 }, { min: 1, max: 256 });
      if (!ids) throw body.error('AttachmentIds', 'Member must not be null');
      const clientToken = body.optionalString('ClientToken', { min: 1, max: 500 }) ?? randomUUID();
      const p = participant!;
      const attachment = p.chat.attachments?.find((a) => a.id === ids[0] && a.uploader === p);
      if (!attachment) throw validationError(`Attachment ${ids[0]} was not started by this participant`);
      if (attachment.status === 'COMPLETED') {
        if (attachment.completeToken === clientToken) return {};
        throw conflict('An attachment with that identifier has already been uploaded');
      }
      if (attachment.status !== 'UPLOADED') throw validationError(`Attachment ${attachment.id} has not been uploaded`);
      attachment.status = 'COMPLETED';
      attachment.completeToken = clientToken;
      engine.post(p.chat, p, 'ATTACHMENT', undefined, undefined, { attachment });
      return {};
    },

    GetAttachment: ({ raw, participant, host }) => {
      const body = BodyReader.of(raw, validationError);
      const id = body.string('AttachmentId', { min: 1, max: 256 });
      const seconds = body.optionalInt('UrlExpiryInSeconds', 5, 300) ?? UPLOAD_URL_SECONDS;
      const p = participant!;
      const attachment = p.chat.attachments?.find((a) => a.id === id && a.status === 'COMPLETED');
      if (!attachment) throw validationError(`Attachment ${id} not found`);
      const expiresAt = Date.now() + seconds * 1000;
      const token = tokens.issue('g', `${p.id}/${attachment.id}`, expiresAt);
      return {
        Url: `${bases.http(host)}${ATTACHMENT_PATH}${encodeURIComponent(token)}`,
        UrlExpiry: iso(expiresAt),
        AttachmentSizeInBytes: attachment.size,
      };
    },
  };
}

/** The storage side (S3 in real life): PUT uploads to a `u` URL, GET downloads from a `g` URL. */
export async function serveAttachmentUrl(deps: AttachmentDeps, req: IncomingMessage, res: ServerResponse, token: string): Promise<void> {
  const upload = req.method === 'PUT';
  if (!upload && req.method !== 'GET') return plain(res, 405, 'Method Not Allowed');
  const claims = deps.tokens.verify(token, upload ? 'u' : 'g');
  const [participantId, attachmentId] = claims?.subject.split('/') ?? [];
  const participant = participantId ? deps.store.participants.get(participantId) : undefined;
  const attachment = participant?.chat.attachments?.find((a) => a.id === attachmentId);
  if (!participant || !attachment) return plain(res, 403, 'AccessDenied: the URL is invalid or has expired');
  if (!upload) {
    if (!attachment.data) return plain(res, 404, 'NoSuchKey');
    res.writeHead(200, {
      'Content-Type': attachment.contentType,
      'Content-Length': String(attachment.data.length),
      'Content-Disposition': `attachment; filename="${encodeURIComponent(attachment.name)}"`,
    });
    res.end(attachment.data);
    return;
  }
  if (participant.chat.status !== 'ACTIVE' || attachment.status === 'COMPLETED') return plain(res, 403, 'AccessDenied');
  let data: Buffer;
  try {
    data = await readBody(req, deps.config().attachments.maxBytes);
  } catch (err) {
    if (err instanceof BodyTooLarge) return plain(res, 400, 'EntityTooLarge');
    throw err;
  }
  if (data.length !== attachment.size) return plain(res, 400, `IncompleteBody: expected ${attachment.size} bytes, got ${data.length}`);
  const type = req.headers['content-type'];
  if (type && type !== attachment.contentType) return plain(res, 403, 'SignatureDoesNotMatch: Content-Type differs from HeadersToInclude');
  attachment.data = data;
  attachment.status = 'UPLOADED';
  res.writeHead(200, { ETag: `"${attachment.id}"`, 'Content-Length': '0' }).end();
}

function plain(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain', 'Content-Length': String(Buffer.byteLength(text)) }).end(text);
}

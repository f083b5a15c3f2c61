import type { Chat, ChatItem, Receipt } from './contact-store.js';

export const EVENT = 'application/vnd.amazonaws.connect.event.';
export const CT = {
  typing: `${EVENT}typing`,
  delivered: `${EVENT}message.delivered`,
  read: `${EVENT}message.read`,
  metadata: `${EVENT}message.metadata`,
  acknowledged: `${EVENT}connection.acknowledged`,
  joined: `${EVENT}participant.joined`,
  left: `${EVENT}participant.left`,
  ended: `${EVENT}chat.ended`,
  rehydrated: `${EVENT}chat.rehydrated`,
  transferSucceeded: `${EVENT}transfer.succeeded`,
  transferFailed: `${EVENT}transfer.failed`,
} as const;

export const iso = (ms: number): string => new Date(ms).toISOString();

export type ItemForm = 'websocket' | 'transcript' | 'past';

/**
 * The Connect-shaped item. WebSocket items carry InitialContactId and ContactId (ChatJS filters on them);
 * transcript items carry ContactId for the current session and RelatedContactId for a persistent chat's past.
 */
export function connectItem(item: ChatItem, chat: Chat, form: ItemForm): Record<string, unknown> {
  const out: Record<string, unknown> = { AbsoluteTime: iso(item.time) };
  if (item.content !== undefined) out.Content = item.content;
  if (item.contentType !== undefined) out.ContentType = item.contentType;
  out.Id = item.id;
  out.Type = item.type;
  if (item.sender) {
    out.ParticipantId = item.sender.id;
    out.DisplayName = item.sender.displayName;
    out.ParticipantRole = item.sender.role;
  }
  const attachment = item.attachment;
  if (attachment) {
    out.Attachments = [
      { ContentType: attachment.contentType, AttachmentId: attachment.id, AttachmentName: attachment.name, Status: 'APPROVED' },
    ];
  }
  if (item.receipts?.length) out.MessageMetadata = { MessageId: item.id, Receipts: item.receipts.map(receiptJson) };
  if (form === 'websocket') {
    out.InitialContactId = chat.initialContactId;
    out.ContactId = item.contactId;
  } else if (form === 'transcript') {
    out.ContactId = item.contactId;
  } else {
    out.RelatedContactId = item.contactId;
  }
  return out;
}

export function receiptJson(receipt: Receipt): Record<string, string> {
  const out: Record<string, string> = {};
  if (receipt.deliveredAt) out.DeliveredTimestamp = iso(receipt.deliveredAt);
  if (receipt.readAt) out.ReadTimestamp = iso(receipt.readAt);
  out.RecipientParticipantId = receipt.recipientId;
  return out;
}

/** The receipt notification Connect pushes (no contact ids: ChatJS lets MESSAGEMETADATA through its filter). */
export function metadataItem(id: string, time: number, messageId: string, receipt: Receipt): Record<string, unknown> {
  return {
    AbsoluteTime: iso(time),
    ContentType: CT.metadata,
    Id: id,
    Type: 'MESSAGEMETADATA',
    MessageMetadata: { MessageId: messageId, Receipts: [receiptJson(receipt)] },
  };
}

/** An `aws/chat` frame: `content` is the item as a JSON string. */
export function chatFrame(item: Record<string, unknown>): string {
  return JSON.stringify({ content: JSON.stringify(item), contentType: 'application/json', topic: 'aws/chat' });
}

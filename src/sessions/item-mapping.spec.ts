import { toChatItemDto } from '../transcripts/chat-item.js';
import type { NewChatItem } from '../transcripts/item-store.repository.js';
import { newItemToDto } from './item-mapping.js';

const base: NewChatItem = {
  chatId: '0f9a0c4e-8a43-4a8c-9a55-1c1d5e0b7a11',
  seq: 7,
  connectItemId: 'item-7',
  type: 'MESSAGE',
  contentType: 'text/plain',
  content: 'hello',
  participantRole: 'AGENT',
  participantId: 'p-1',
  displayName: 'Agent',
  absoluteTime: new Date('2026-11-26T10:00:00.123Z'),
  attachments: null,
  clientMessageId: 'c-1',
  contactId: 'contact-1',
};

describe('newItemToDto', () => {
  it.each([
    ['a full message', base],
    ['an event without text', { ...base, type: 'EVENT', content: null, displayName: null, participantId: null, clientMessageId: null }],
    ['an attachment', { ...base, type: 'ATTACHMENT', attachments: [{ attachmentId: 'a', name: 'f.pdf', contentType: 'application/pdf', status: 'APPROVED' }] }],
    ['empty attachments', { ...base, attachments: [] }],
  ])('is what a stored row without receipts maps to: %s', (_name, item: NewChatItem) => {
    const dto = newItemToDto(item);
    const expected = toChatItemDto({ ...item, deliveredAt: null, readAt: null });
    expect(dto).toEqual(expected);
    expect(Object.keys(dto)).toEqual(Object.keys(expected));
  });
});

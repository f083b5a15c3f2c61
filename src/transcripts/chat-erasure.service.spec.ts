import type { AuditService } from '../audit/audit.service.js';
import type { StaffPrincipal } from '../auth/staff-principal.js';
import { ChatErasureService } from './chat-erasure.service.js';
import type { ChatTerminator } from './chat-terminator.js';
import type { StaffChatRecord, StaffChatsRepository } from './staff-chats.repository.js';
import type { StaffChatsService } from './staff-chats.service.js';

const admin: StaffPrincipal = { id: 'bootstrap-admin', name: 'admin', role: 'admin', frontendIds: null };
const chat = (status: StaffChatRecord['status']): StaffChatRecord => ({
  id: 'chat-1', frontendId: 'fe-1', status, displayName: 'Jane', customerId: null, contactId: 'c', currentContactId: 'c', startedAt: new Date(0),
  endedAt: null, endReason: null, lastSeq: 3, lastMessageAt: null, transcriptIncomplete: false,
});

function setup(status: StaffChatRecord['status'], terminator?: ChatTerminator) {
  const calls: string[] = [];
  const repo = {
    markEnded: async () => void calls.push('markEnded'),
    eraseChat: async () => {
      calls.push('erase');
      return 3;
    },
  } as unknown as StaffChatsRepository;
  const staffChats = { visibleChat: async () => chat(status) } as unknown as StaffChatsService;
  const audit = { record: async (e: { action: string }) => void calls.push(`audit:${e.action}`) } as unknown as AuditService;
  return { calls, service: new ChatErasureService(repo, staffChats, audit, terminator) };
}

describe('ChatErasureService', () => {
  it('refuses an active chat without force', async () => {
    const { service, calls } = setup('active');
    await expect(service.erase({ staff: admin, ip: undefined }, 'chat-1', false)).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(calls).toEqual([]);
  });

  it('ends an active chat through the terminator when one is wired, then erases and audits', async () => {
    const ended: string[] = [];
    const { service, calls } = setup('active', { endChat: async (id, reason) => void ended.push(`${id}:${reason}`) });
    await service.erase({ staff: admin, ip: '10.0.0.1' }, 'chat-1', true);
    expect(ended).toEqual(['chat-1:erased']);
    expect(calls).toEqual(['erase', 'audit:chat.erase']);
  });

  it('marks the chat ended itself without a terminator', async () => {
    const { service, calls } = setup('starting');
    await service.erase({ staff: admin, ip: undefined }, 'chat-1', true);
    expect(calls).toEqual(['markEnded', 'erase', 'audit:chat.erase']);
  });

  it('erases an ended chat without force', async () => {
    const { service, calls } = setup('ended');
    await service.erase({ staff: admin, ip: undefined }, 'chat-1', false);
    expect(calls).toEqual(['erase', 'audit:chat.erase']);
  });
});

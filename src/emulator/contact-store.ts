/**
 * The emulator's state. Kept lean on purpose: it must hold 10,000 open chats with a socket each,
 * so chats are small classes with fixed shapes, lazily created collections and no per-chat timers
 * except while an auto-agent or disconnect flow is pending.
 */

export type ParticipantRole = 'CUSTOMER' | 'AGENT' | 'SYSTEM' | 'CUSTOM_BOT' | 'SUPERVISOR';
export type ItemType = 'MESSAGE' | 'EVENT' | 'ATTACHMENT';

/** What the WebSocket hub keeps per socket; the store only needs to count and close them. */
export interface ParticipantSocket {
  close(code?: number, reason?: string): void;
  terminate(): void;
}

export class Participant {
  left = false;
  sockets: ParticipantSocket[] | null = null;
  /** Idempotent replies to SendEvent calls that store no item (typing, receipts), newest last. */
  eventReplies: { token: string; id: string; time: number }[] | null = null;

  constructor(
    readonly id: string,
    readonly role: ParticipantRole,
    readonly displayName: string,
    readonly chat: Chat,
  ) {}
}

export interface Receipt {
  recipientId: string;
  deliveredAt?: number;
  readAt?: number;
}

export type AttachmentStatus = 'STARTED' | 'UPLOADED' | 'COMPLETED';

export class Attachment {
  data: Buffer | null = null;
  status: AttachmentStatus = 'STARTED';
  completeToken: string | null = null;

  constructor(
    readonly id: string,
    readonly name: string,
    readonly contentType: string,
    readonly size: number,
    readonly uploader: Participant,
    readonly startToken: string,
  ) {}
}

export class ChatItem {
  receipts: Receipt[] | null = null;
  attachment: Attachment | null = null;
  clientToken: string | null = null;

  constructor(
    readonly id: string,
    readonly time: number,
    readonly type: ItemType,
    readonly contentType: string | undefined,
    readonly content: string | undefined,
    /** Undefined for chat.ended, which carries no participant. */
    readonly sender: Participant | undefined,
    readonly contactId: string,
  ) {}
}

/** A persistent chat's link to the session it continues: items of `chat` sent on contacts up to `uptoContact`. */
export interface PastLink {
  chat: Chat;
  uptoContact: number;
}

export class Chat {
  status: 'ACTIVE' | 'ENDED' = 'ACTIVE';
  /** Customer left and a disconnect flow is still running. */
  ending = false;
  endedAt = 0;
  lastTime = 0;
  readonly contactIds: string[];
  readonly contactStartedAt: number[];
  readonly items: ChatItem[] = [];
  readonly participants: Participant[] = [];
  attachments: Attachment[] | null = null;
  timer: ReturnType<typeof setTimeout> | null = null;
  rehydratedPending = false;
  /** When the customer last sent typing (the agent console has no socket of its own to see it). */
  customerTypingAt = 0;
  past: PastLink | null = null;

  constructor(
    contactId: string,
    readonly instanceId: string,
    readonly startedAt: number,
    readonly endsAt: number,
    readonly contentTypes: readonly string[],
  ) {
    this.contactIds = [contactId];
    this.contactStartedAt = [startedAt];
  }

  get initialContactId(): string {
    return this.contactIds[0]!;
  }

  get contactId(): string {
    return this.contactIds[this.contactIds.length - 1]!;
  }

  /** Item times are strictly increasing per chat, so (AbsoluteTime, Id) order is the order things happened. */
  nextTime(now = Date.now()): number {
    this.lastTime = now > this.lastTime ? now : this.lastTime + 1;
    return this.lastTime;
  }

  activeParticipants(): Participant[] {
    return this.participants.filter((p) => !p.left && p.role !== 'SYSTEM');
  }

  present(role: ParticipantRole): Participant | undefined {
    return this.participants.find((p) => p.role === role && !p.left);
  }

  findItem(id: string): ChatItem | undefined {
    for (let i = this.items.length - 1; i >= 0; i--) if (this.items[i]!.id === id) return this.items[i];
    return undefined;
  }
}

export class ContactStore {
  readonly chatsByContact = new Map<string, Chat>();
  readonly participants = new Map<string, Participant>();
  readonly activeChats = new Set<Chat>();
  /** StartChatContact idempotency: instance + ClientToken → the chat it started and the request's fingerprint. */
  readonly startTokens = new Map<string, { chat: Chat; fingerprint: string; participant: Participant }>();
  private readonly activePerInstance = new Map<string, number>();

  addChat(chat: Chat): void {
    this.chatsByContact.set(chat.initialContactId, chat);
    this.activeChats.add(chat);
    this.activePerInstance.set(chat.instanceId, this.activeCount(chat.instanceId) + 1);
  }

  addContact(chat: Chat, contactId: string, at: number): void {
    chat.contactIds.push(contactId);
    chat.contactStartedAt.push(at);
    this.chatsByContact.set(contactId, chat);
  }

  addParticipant(participant: Participant): void {
    participant.chat.participants.push(participant);
    this.participants.set(participant.id, participant);
  }

  markEnded(chat: Chat, at: number): void {
    chat.status = 'ENDED';
    chat.ending = false;
    chat.endedAt = at;
    if (chat.timer) clearTimeout(chat.timer);
    chat.timer = null;
    if (this.activeChats.delete(chat)) this.activePerInstance.set(chat.instanceId, this.activeCount(chat.instanceId) - 1);
  }

  activeCount(instanceId: string): number {
    return this.activePerInstance.get(instanceId) ?? 0;
  }

  clear(): void {
    for (const chat of this.activeChats) if (chat.timer) clearTimeout(chat.timer);
    this.chatsByContact.clear();
    this.participants.clear();
    this.activeChats.clear();
    this.startTokens.clear();
    this.activePerInstance.clear();
  }
}

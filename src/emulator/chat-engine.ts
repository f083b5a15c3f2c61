import { randomUUID } from 'node:crypto';
import type { Attachment, ContactStore, ItemType, ParticipantRole, PastLink } from './contact-store.js';
import { Chat, ChatItem, Participant } from './contact-store.js';
import type { EmulatorConfig } from './emulator-config.js';
import { CT, chatFrame, connectItem, metadataItem } from './item-format.js';
import type { ItemForm } from './item-format.js';
import type { EmulatorSocket, WebSocketHub } from './websocket-hub.js';

export interface StartChatInput {
  instanceId: string;
  displayName: string;
  contentTypes: readonly string[];
  durationMinutes: number;
  initialMessage?: { contentType: string; content: string };
  past?: PastLink;
}

/** A GetTranscript candidate: the item, the chat it belongs to and how it is rendered. */
export interface TranscriptEntry {
  id: string;
  time: number;
  item: ChatItem;
  chat: Chat;
  form: ItemForm;
}

const MAX_PAST_CONTACTS = 100;
const TEXT_TYPES = new Set(['text/plain', 'text/markdown']);

/** Chat lifecycle: who joins and leaves, what gets posted, and every item's fan-out to the sockets. */
export class ChatEngine {
  constructor(
    private readonly store: ContactStore,
    private readonly hub: WebSocketHub,
    private readonly config: () => EmulatorConfig,
  ) {}

  startChat(input: StartChatInput): { chat: Chat; customer: Participant } {
    const now = Date.now();
    const chat = new Chat(randomUUID(), input.instanceId, now, now + input.durationMinutes * 60_000, input.contentTypes);
    if (input.past) {
      chat.past = input.past;
      chat.rehydratedPending = true;
    }
    this.store.addChat(chat);
    const customer = this.addParticipant(chat, 'CUSTOMER', input.displayName);
    this.post(chat, customer, 'EVENT', CT.joined);
    if (input.initialMessage) this.post(chat, customer, 'MESSAGE', input.initialMessage.contentType, input.initialMessage.content);
    const settings = this.config();
    if (settings.systemGreeting) this.postSystem(chat, 'text/plain', settings.systemGreeting);
    const joinAfterMs = settings.autoAgent.joinAfterMs;
    if (joinAfterMs !== null) {
      chat.timer = setTimeout(() => this.autoJoin(chat), joinAfterMs);
      chat.timer.unref();
    }
    return { chat, customer };
  }

  private autoJoin(chat: Chat): void {
    chat.timer = null;
    if (chat.status !== 'ACTIVE' || chat.ending || chat.present('AGENT')) return;
    const { displayName, greeting } = this.config().autoAgent;
    const agent = this.join(chat, 'AGENT', displayName);
    if (greeting) this.post(chat, agent, 'MESSAGE', 'text/plain', greeting);
  }

  join(chat: Chat, role: ParticipantRole, displayName: string): Participant {
    const participant = this.addParticipant(chat, role, displayName);
    this.post(chat, participant, 'EVENT', CT.joined);
    return participant;
  }

  private addParticipant(chat: Chat, role: ParticipantRole, displayName: string): Participant {
    const participant = new Participant(randomUUID(), role, displayName, chat);
    this.store.addParticipant(participant);
    return participant;
  }

  private system(chat: Chat): Participant {
    return chat.participants.find((p) => p.role === 'SYSTEM') ?? this.addParticipant(chat, 'SYSTEM', 'SYSTEM_MESSAGE');
  }

  /** Stores an item on the chat's current contact and sends it to every subscribed socket. */
  post(
    chat: Chat,
    sender: Participant | undefined,
    type: ItemType,
    contentType: string | undefined,
    content?: string,
    extras: { clientToken?: string; attachment?: Attachment } = {},
  ): ChatItem {
    const item = new ChatItem(randomUUID(), chat.nextTime(), type, contentType, content, sender, chat.contactId);
    if (extras.clientToken !== undefined) item.clientToken = extras.clientToken;
    if (extras.attachment) item.attachment = extras.attachment;
    chat.items.push(item);
    this.broadcast(chat, item);
    if (type === 'MESSAGE' && sender?.role === 'CUSTOMER' && content !== undefined) this.echo(chat, contentType!, content);
    return item;
  }

  /** A contact-flow (SYSTEM) message, e.g. a greeting or a bot's prompt. */
  postSystem(chat: Chat, contentType: string, content: string): ChatItem {
    return this.post(chat, this.system(chat), 'MESSAGE', contentType, content);
  }

  broadcast(chat: Chat, item: ChatItem): void {
    this.hub.deliver(chat, chatFrame(connectItem(item, chat, 'websocket')));
  }

  private echo(chat: Chat, contentType: string, content: string): void {
    if (!this.config().autoAgent.echo) return;
    const agent = chat.present('AGENT');
    if (!agent) return;
    const reply = TEXT_TYPES.has(contentType) ? `Echo: ${content}`.slice(0, 1024) : content;
    this.post(chat, agent, 'MESSAGE', contentType, reply);
  }

  /** Typing is live only: sent to every socket, never stored. */
  typing(participant: Participant): { id: string; time: number } {
    const chat = participant.chat;
    const item = new ChatItem(randomUUID(), chat.nextTime(), 'EVENT', CT.typing, undefined, participant, chat.contactId);
    if (participant.role === 'CUSTOMER') chat.customerTypingAt = item.time;
    this.broadcast(chat, item);
    return { id: item.id, time: item.time };
  }

  /**
   * Records a delivered/read receipt on the message (GetTranscript shows it in MessageMetadata.Receipts)
   * and pushes a MESSAGEMETADATA item. Returns false when `messageId` is no item of the chat or its past.
   */
  receipt(participant: Participant, messageId: string, kind: 'delivered' | 'read'): { id: string; time: number } | false {
    const chat = participant.chat;
    const id = randomUUID();
    const time = chat.nextTime();
    const item = chat.findItem(messageId);
    if (!item) return this.transcriptEntries(chat).some((e) => e.id === messageId) && { id, time };
    if (item.sender === participant || (item.type !== 'MESSAGE' && item.type !== 'ATTACHMENT')) return { id, time };
    const receipts = (item.receipts ??= []);
    let receipt = receipts.find((r) => r.recipientId === participant.id);
    if (!receipt) receipts.push((receipt = { recipientId: participant.id }));
    const before = `${receipt.deliveredAt}/${receipt.readAt}`;
    receipt.deliveredAt ??= time;
    if (kind === 'read') receipt.readAt ??= time;
    if (before !== `${receipt.deliveredAt}/${receipt.readAt}`) {
      this.hub.deliver(chat, chatFrame(metadataItem(id, time, messageId, receipt)));
    }
    return { id, time };
  }

  /** DisconnectParticipant / agent leave: participant.left, then chat.ended (after the disconnect flow, if any). */
  leave(participant: Participant): void {
    const chat = participant.chat;
    if (participant.left || chat.status !== 'ACTIVE') return;
    participant.left = true;
    this.post(chat, participant, 'EVENT', CT.left);
    if (participant.role === 'AGENT') return this.endChat(chat);
    if (participant.role !== 'CUSTOMER') return;
    const endAfterMs = this.config().disconnectFlow.endAfterMs;
    if (endAfterMs === null) return this.endChat(chat);
    if (chat.timer) clearTimeout(chat.timer);
    chat.ending = true;
    chat.timer = setTimeout(() => this.endChat(chat), endAfterMs);
    chat.timer.unref();
  }

  endChat(chat: Chat): void {
    if (chat.status !== 'ACTIVE') return;
    this.post(chat, undefined, 'EVENT', CT.ended);
    this.store.markEnded(chat, chat.lastTime);
  }

  /** A new ContactId continues the same chat (same InitialContactId); the transferring agent leaves. */
  transfer(chat: Chat): string {
    const agent = chat.present('AGENT');
    this.post(chat, agent ?? this.system(chat), 'EVENT', CT.transferSucceeded);
    if (agent) {
      agent.left = true;
      this.post(chat, agent, 'EVENT', CT.left);
    }
    const contactId = randomUUID();
    this.store.addContact(chat, contactId, Date.now());
    return contactId;
  }

  redeliver(chat: Chat, itemId: string): boolean {
    const item = chat.findItem(itemId);
    if (!item) return false;
    this.broadcast(chat, item);
    return true;
  }

  /** A rehydrated (persistent) chat announces itself to the customer's first subscribed socket. */
  onSubscribed(participant: Participant, socket: EmulatorSocket): void {
    const chat = participant.chat;
    if (!chat.rehydratedPending || participant.role !== 'CUSTOMER') return;
    chat.rehydratedPending = false;
    const item = new ChatItem(randomUUID(), chat.nextTime(), 'EVENT', CT.rehydrated, undefined, participant, chat.contactId);
    this.hub.sendTo(socket, chatFrame(connectItem(item, chat, 'websocket')));
  }

  /** Ends chats whose ChatDurationInMinutes ran out. */
  sweep(now = Date.now()): void {
    for (const chat of this.store.activeChats) if (chat.endsAt <= now) this.endChat(chat);
  }

  /** Past sessions' items (persistent chat, oldest first, up to 100 contacts back) followed by this chat's. */
  transcriptEntries(chat: Chat): TranscriptEntry[] {
    const links: PastLink[] = [];
    let contacts = 0;
    for (let link = chat.past; link && contacts < MAX_PAST_CONTACTS; link = link.chat.past) {
      links.unshift(link);
      contacts += link.uptoContact + 1;
    }
    const entries: TranscriptEntry[] = [];
    for (const link of links) {
      const allowed = new Set(link.chat.contactIds.slice(0, link.uptoContact + 1));
      for (const item of link.chat.items) {
        if (allowed.has(item.contactId)) entries.push({ id: item.id, time: item.time, item, chat: link.chat, form: 'past' });
      }
    }
    for (const item of chat.items) entries.push({ id: item.id, time: item.time, item, chat, form: 'transcript' });
    return entries;
  }
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ChatEngine } from './chat-engine.js';
import { MESSAGE_LIMITS } from './connect-api.js';
import type { Chat, ContactStore, ParticipantRole } from './contact-store.js';
import type { EmulatorConfig } from './emulator-config.js';
import { ConfigError, mergeConfig } from './emulator-config.js';
import { BodyTooLarge, readBody, sendJson } from './http-util.js';
import { connectItem, iso } from './item-format.js';
import type { WebSocketHub } from './websocket-hub.js';

export interface ControlDeps {
  store: ContactStore;
  engine: ChatEngine;
  hub: WebSocketHub;
  getConfig(): EmulatorConfig;
  setConfig(config: EmulatorConfig): void;
  reset(): void;
  stats(): Record<string, number>;
}

class ControlError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const INTERACTIVE = 'application/vnd.amazonaws.connect.message.interactive';
type Body = Record<string, unknown>;

/** The emulator's own JSON API under /emulator/ (CONTRACT.md §6): inspect contacts, play the agent, inject faults. */
export async function handleControl(deps: ControlDeps, req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  try {
    const method = req.method ?? 'GET';
    const body = method === 'POST' || method === 'PUT' ? await jsonBody(req) : {};
    const result = route(deps, method, path.slice('/emulator/'.length).split('/'), body, new URL(req.url ?? '/', 'http://x'));
    sendJson(res, 200, result);
  } catch (err) {
    if (err instanceof ControlError) return sendJson(res, err.status, { error: { code: err.code, message: err.message } });
    throw err;
  }
}

function route(deps: ControlDeps, method: string, parts: string[], body: Body, url: URL): unknown {
  const [first, id, ...rest] = parts;
  const action = rest.join('/');
  if (first === 'contacts' && parts.length === 1 && method === 'GET') return { contacts: listContacts(deps.store, url.searchParams.get('status')) };
  if (first === 'config' && parts.length === 1) {
    if (method === 'GET') return deps.getConfig();
    if (method === 'PUT') {
      try {
        deps.setConfig(mergeConfig(deps.getConfig(), body));
      } catch (err) {
        if (err instanceof ConfigError) throw new ControlError(400, 'VALIDATION_FAILED', err.message);
        throw err;
      }
      return deps.getConfig();
    }
  }
  if (first === 'reset' && parts.length === 1 && method === 'POST') {
    deps.reset();
    return { ok: true };
  }
  if (first === 'stats' && parts.length === 1 && method === 'GET') return deps.stats();
  if (first === 'websockets' && id === 'drop' && parts.length === 2 && method === 'POST') return drop(deps, body);
  if (first === 'contacts' && id && method === 'GET' && action === 'transcript') {
    const chat = chatOf(deps.store, id);
    return { items: chat.items.map((item) => connectItem(item, chat, 'transcript')) };
  }
  if (first === 'contacts' && id && method === 'POST') return contactAction(deps, chatOf(deps.store, id), action, body);
  throw new ControlError(404, 'NOT_FOUND', `no control route ${method} /emulator/${parts.join('/')}`);
}

function contactAction(deps: ControlDeps, chat: Chat, action: string, body: Body): unknown {
  const { engine } = deps;
  switch (action) {
    case 'stop':
    case 'expire':
      engine.endChat(chat);
      return { status: chat.status };
    case 'redeliver': {
      const itemId = text(body, 'itemId');
      if (!engine.redeliver(chat, itemId)) throw new ControlError(404, 'NOT_FOUND', `no item ${itemId} in this chat`);
      return { ok: true };
    }
  }
  requireActive(chat);
  switch (action) {
    case 'agent/join':
    case 'supervisor/join': {
      const role: ParticipantRole = action === 'agent/join' ? 'AGENT' : 'SUPERVISOR';
      if (chat.present(role)) throw new ControlError(409, 'CONFLICT', `a ${role.toLowerCase()} has already joined`);
      const displayName = optionalText(body, 'displayName') ?? (role === 'AGENT' ? deps.getConfig().autoAgent.displayName : 'Supervisor');
      const participant = engine.join(chat, role, displayName.slice(0, 256));
      return { participantId: participant.id, contactId: chat.contactId };
    }
    case 'agent/messages':
    case 'system/messages': {
      const sender = action === 'system/messages' ? undefined : agentOf(chat);
      const contentType = optionalText(body, 'contentType') ?? 'text/plain';
      const content = text(body, 'content');
      const limit = contentType === INTERACTIVE ? 16384 : MESSAGE_LIMITS[contentType];
      if (!limit) throw new ControlError(400, 'VALIDATION_FAILED', `unsupported contentType ${contentType}`);
      if (content.length > limit) throw new ControlError(400, 'VALIDATION_FAILED', `content is longer than ${limit} characters`);
      const item = sender
        ? engine.post(chat, sender, 'MESSAGE', contentType, content)
        : engine.postSystem(chat, contentType, content);
      return { id: item.id, absoluteTime: iso(item.time) };
    }
    case 'agent/typing': {
      const result = engine.typing(agentOf(chat));
      return { id: result.id, absoluteTime: iso(result.time) };
    }
    case 'agent/read':
    case 'agent/delivered': {
      const agent = agentOf(chat);
      const messageId = text(body, 'messageId');
      if (chat.activeParticipants().length > 2) {
        throw new ControlError(409, 'CONFLICT', 'receipts are not supported with more than two active participants');
      }
      const result = engine.receipt(agent, messageId, action === 'agent/read' ? 'read' : 'delivered');
      if (!result) throw new ControlError(404, 'NOT_FOUND', `no message ${messageId} in this chat`);
      return { id: result.id, absoluteTime: iso(result.time) };
    }
    case 'agent/leave':
      engine.leave(agentOf(chat));
      return { status: chat.status };
    case 'supervisor/leave': {
      const supervisor = chat.present('SUPERVISOR');
      if (!supervisor) throw new ControlError(409, 'CONFLICT', 'no supervisor has joined');
      engine.leave(supervisor);
      return { status: chat.status };
    }
    case 'transfer':
      return { contactId: engine.transfer(chat) };
  }
  throw new ControlError(404, 'NOT_FOUND', `no contact action ${action}`);
}

function listContacts(store: ContactStore, status: string | null): unknown[] {
  const out: unknown[] = [];
  for (const [contactId, chat] of store.chatsByContact) {
    const index = chat.contactIds.indexOf(contactId);
    const current = chat.status === 'ACTIVE' && index === chat.contactIds.length - 1;
    const contactStatus = current ? 'ACTIVE' : 'ENDED';
    if (status && status !== contactStatus) continue;
    out.push({
      contactId,
      initialContactId: chat.initialContactId,
      status: contactStatus,
      customerDisplayName: chat.participants.find((p) => p.role === 'CUSTOMER')?.displayName ?? '',
      agentJoined: current && !!chat.present('AGENT'),
      startedAt: iso(chat.contactStartedAt[index]!),
      endedAt: chat.status === 'ENDED' ? iso(chat.endedAt) : null,
      ending: chat.ending,
      customerTypingAt: chat.customerTypingAt ? iso(chat.customerTypingAt) : null,
    });
  }
  return out;
}

function drop(deps: ControlDeps, body: Body): unknown {
  const mode = optionalText(body, 'mode') ?? 'close';
  if (mode !== 'close' && mode !== 'silent') throw new ControlError(400, 'VALIDATION_FAILED', 'mode must be close or silent');
  const contactId = optionalText(body, 'contactId');
  const chat = contactId === undefined ? undefined : chatOf(deps.store, contactId);
  return { dropped: deps.hub.drop(mode, chat) };
}

function chatOf(store: ContactStore, contactId: string): Chat {
  const chat = store.chatsByContact.get(decodeURIComponent(contactId));
  if (!chat) throw new ControlError(404, 'NOT_FOUND', `no contact ${contactId}`);
  return chat;
}

function requireActive(chat: Chat): void {
  if (chat.status !== 'ACTIVE') throw new ControlError(409, 'CHAT_ENDED', 'the chat has ended');
}

function agentOf(chat: Chat) {
  const agent = chat.present('AGENT');
  if (!agent) throw new ControlError(409, 'CONFLICT', 'no agent has joined this contact (POST …/agent/join first)');
  return agent;
}

function text(body: Body, name: string): string {
  const value = optionalText(body, name);
  if (!value) throw new ControlError(400, 'VALIDATION_FAILED', `${name} is required`);
  return value;
}

function optionalText(body: Body, name: string): string | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new ControlError(400, 'VALIDATION_FAILED', `${name} must be a string`);
  return value;
}

async function jsonBody(req: IncomingMessage): Promise<Body> {
  let raw: Buffer;
  try {
    raw = await readBody(req, 1024 * 1024);
  } catch (err) {
    if (err instanceof BodyTooLarge) throw new ControlError(413, 'PAYLOAD_TOO_LARGE', 'body too large');
    throw err;
  }
  if (!raw.length) return {};
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new ControlError(400, 'VALIDATION_FAILED', 'body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ControlError(400, 'VALIDATION_FAILED', 'body must be a JSON object');
  }
  return value as Body;
}

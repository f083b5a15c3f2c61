// A load-generator child process: simulated browsers (socket.io-client) for its share of the chats and
// the simulated agents of those chats (the emulator's control API). Sender and receivers of a chat live
// in the same process, so agent → browser latency is measured on one clock (performance.now()).
// Driven by the harness over IPC: { id, cmd, args } → { id, ok, result | error }.
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { clearInterval, setInterval } from 'node:timers';
import { io } from 'socket.io-client';
import { FILLER, pool, sleep } from './util.mjs';

const state = {
  mode: 'gateway', // or 'relay'
  url: '',
  emulatorUrl: '',
  publicKey: '',
  child: 0,
  chats: [],
  /** Agent messages of the current run, by index: { chat, sentAt, ok, connectTime }. */
  sends: [],
  tag: '',
  latencies: [],
  fromConnect: [],
  deliveries: 0,
  duplicates: 0,
  unexpected: 0,
  gapErrors: 0,
  disconnects: 0,
  connectErrors: 0,
  connectErrorReasons: {},
};

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function request(method, url, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(url, {
      method,
      agent,
      headers: { ...(data ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } : {}), ...headers },
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        if (res.statusCode >= 300) return reject(new Error(`${method} ${new URL(url).pathname}: ${res.statusCode} ${text.slice(0, 300)}`));
        resolve(text ? JSON.parse(text) : {});
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (data) req.write(data);
    req.end();
  });
}

// ---- chats and browsers -------------------------------------------------------------------------

async function startChats({ count, concurrency = 8 }) {
  const t0 = performance.now();
  let slowStarts = 0;
  const results = await pool(Array.from({ length: count }), concurrency, async (_, i) => {
    const name = `Bench ${state.child}-${state.chats.length + i}`;
    if (state.mode === 'relay') return request('POST', `${state.url}/relay/chats`, { displayName: name });
    // `starting`: the gateway answered before its upstream was up (it waits 10 s); the chat comes up later.
    const res = await request('POST', `${state.url}/v1/chats`, { displayName: name }, { 'x-frontend-key': state.publicKey });
    if (res.status === 'starting') slowStarts++;
    else if (res.status !== 'active') throw new Error(`chat ${res.chatId} is ${res.status}`);
    return res;
  });
  for (const r of results) {
    if (r.ok) state.chats.push({ chatId: r.value.chatId, contactId: r.value.contactId, token: r.value.sessionToken ?? r.value.chatId, browsers: [], agentSends: [] });
  }
  const errors = results.filter((r) => !r.ok).map((r) => r.error);
  return { started: results.length - errors.length, errors: errors.length, firstError: errors[0], slowStarts, ms: performance.now() - t0 };
}

async function joinAgents({ concurrency = 16 }) {
  const results = await pool(state.chats, concurrency, (chat) =>
    request('POST', `${state.emulatorUrl}/emulator/contacts/${chat.contactId}/agent/join`, { displayName: 'Agent' }));
  const errors = results.filter((r) => !r.ok);
  return { joined: results.length - errors.length, errors: errors.length, firstError: errors[0]?.error };
}

class Browser {
  constructor(chat, index) {
    this.chat = chat;
    this.index = index;
    this.lastSeq = 0;
    this.seen = new Set();
    this.gap = null;
    this.connected = false;
    this.socket = null;
  }

  open(lastSeq) {
    const auth = state.mode === 'relay' ? { token: this.chat.token } : lastSeq === undefined ? { token: this.chat.token } : { token: this.chat.token, lastSeq };
    const socket = io(`${state.url}/chat`, { transports: ['websocket'], auth, reconnection: false, forceNew: true, timeout: 60_000 });
    this.socket = socket;
    socket.on('chat:item', (item) => this.onItem(item));
    socket.on('disconnect', (reason) => {
      this.connected = false;
      if (reason !== 'io client disconnect') state.disconnects++;
    });
    return new Promise((resolve) => {
      socket.once('connect', () => {
        this.connected = true;
        resolve(true);
      });
      socket.once('connect_error', (err) => {
        state.connectErrors++;
        const reason = err?.message ?? 'unknown';
        state.connectErrorReasons[reason] = (state.connectErrorReasons[reason] ?? 0) + 1;
        resolve(false);
      });
    });
  }

  onItem(item) {
    const now = performance.now();
    if (state.mode === 'gateway') {
      if (item.seq <= this.lastSeq) {
        state.duplicates++;
        return;
      }
      if (item.seq !== this.lastSeq + 1) state.gapErrors++;
      this.lastSeq = item.seq;
      if (this.gap) {
        this.gap.items.push(item);
        if (this.gap.items.length >= this.gap.expected && !this.gap.doneAt) this.gap.doneAt = now;
      }
    }
    const content = item.content;
    if (!content || !state.tag || !content.startsWith(state.tag)) return;
    const n = Number(content.slice(state.tag.length, content.indexOf('|', state.tag.length)));
    const send = state.sends[n];
    if (!send || send.chat !== this.chat) {
      state.unexpected++;
      return;
    }
    if (this.seen.has(n)) {
      state.duplicates++;
      return;
    }
    this.seen.add(n);
    state.deliveries++;
    if (this.index !== send.sender) {
      state.latencies.push(now - send.sentAt);
      if (item.absoluteTime) state.fromConnect.push(performance.timeOrigin + now - Date.parse(item.absoluteTime));
    }
  }
}

async function connect({ perChat = 2, concurrency = 64 }) {
  const t0 = performance.now();
  const targets = [];
  for (const chat of state.chats) {
    for (let i = chat.browsers.length; i < perChat; i++) {
      const b = new Browser(chat, i);
      chat.browsers.push(b);
      targets.push(b);
    }
  }
  const times = [];
  const results = await pool(targets, concurrency, async (b) => {
    const s = performance.now();
    const ok = await b.open();
    times.push(performance.now() - s);
    if (!ok) throw new Error('connect_error');
  });
  return { connected: results.filter((r) => r.ok).length, errors: results.filter((r) => !r.ok).length, ms: performance.now() - t0 };
}

// ---- agent messages -----------------------------------------------------------------------------

function resetRun(tag) {
  state.tag = tag;
  state.sends = [];
  state.latencies = [];
  state.fromConnect = [];
  state.deliveries = 0;
  state.duplicates = 0;
  state.unexpected = 0;
  state.gapErrors = 0;
  for (const chat of state.chats) for (const b of chat.browsers) b.seen = new Set();
}

/** Sends `count` agent messages (or rate × seconds) round-robin over this child's chats at `rate`/s. */
async function agentLoad({ rate, seconds, count, tag, sequentialPerChat = false }) {
  resetRun(tag);
  const total = count ?? Math.round(rate * seconds);
  const chats = state.chats;
  const inflight = new Set();
  const t0 = performance.now();
  let next = 0;
  const lastPerChat = new Map();
  const sendOne = (n) => {
    const chat = chats[n % chats.length];
    const send = { chat, sentAt: 0, ok: false, sender: -1 };
    state.sends[n] = send;
    const content = `${tag}${n}|${FILLER}`;
    const go = () => {
      send.sentAt = performance.now();
      return request('POST', `${state.emulatorUrl}/emulator/contacts/${chat.contactId}/agent/messages`, { content })
        .then(() => (send.ok = true), () => undefined);
    };
    // Replay wants one chat's messages in a known order: chain them per chat.
    const p = sequentialPerChat ? (lastPerChat.get(chat) ?? Promise.resolve()).then(go) : go();
    if (sequentialPerChat) lastPerChat.set(chat, p);
    inflight.add(p);
    void p.finally(() => inflight.delete(p));
  };
  await new Promise((resolve) => {
    const timer = setInterval(() => {
      const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * rate));
      while (next < due) sendOne(next++);
      if (next >= total) {
        clearInterval(timer);
        resolve();
      }
    }, 2);
  });
  await Promise.all(inflight);
  const ok = state.sends.filter((s) => s.ok).length;
  return { sent: ok, sendErrors: total - ok, ms: performance.now() - t0 };
}

/** Customer sends: the first browser of each chat emits chat:send; its ack and the other tabs are timed. */
async function customerLoad({ rate, seconds, tag }) {
  resetRun(tag);
  const total = Math.round(rate * seconds);
  const acks = [];
  const ackErrors = [];
  const wallSent = [];
  const inflight = new Set();
  const t0 = performance.now();
  let next = 0;
  const sendOne = (n) => {
    const chat = state.chats[n % state.chats.length];
    const sender = chat.browsers[0];
    const send = { chat, sentAt: performance.now(), ok: false, sender: 0 };
    state.sends[n] = send;
    wallSent[n] = performance.timeOrigin + send.sentAt;
    const content = `${tag}${n}|${FILLER}`;
    const p = sender.socket.timeout(30_000).emitWithAck('chat:send', { content, clientMessageId: `${tag}${n}` }).then((ack) => {
      if (ack?.ok) {
        send.ok = true;
        acks.push(performance.now() - send.sentAt);
      } else ackErrors.push(ack?.error?.code ?? 'no ack');
    }, (err) => ackErrors.push(err.message));
    inflight.add(p);
    void p.finally(() => inflight.delete(p));
  };
  await new Promise((resolve) => {
    const timer = setInterval(() => {
      const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * rate));
      while (next < due) sendOne(next++);
      if (next >= total) {
        clearInterval(timer);
        resolve();
      }
    }, 2);
  });
  await Promise.all(inflight);
  // Connect-side arrival: the emulator's AbsoluteTime of each item against the wall-clock send time.
  const arrival = [];
  let onConnect = 0;
  let connectDuplicates = 0;
  await pool(state.chats, 16, async (chat) => {
    const { items } = await request('GET', `${state.emulatorUrl}/emulator/contacts/${chat.contactId}/transcript`);
    const counts = new Map();
    for (const item of items) {
      if (!item.Content?.startsWith(tag)) continue;
      const n = Number(item.Content.slice(tag.length, item.Content.indexOf('|', tag.length)));
      counts.set(n, (counts.get(n) ?? 0) + 1);
      if (counts.get(n) === 1) {
        onConnect++;
        arrival.push(Date.parse(item.AbsoluteTime) - wallSent[n]);
      } else connectDuplicates++;
    }
  });
  const errorCodes = {};
  for (const code of ackErrors) errorCodes[code] = (errorCodes[code] ?? 0) + 1;
  return {
    sent: total, acked: acks.length, ackErrors: ackErrors.length, errorCodes, ms: performance.now() - t0,
    acks: Float64Array.from(acks), arrival: Float64Array.from(arrival), onConnect, connectDuplicates,
  };
}

/** Waits until every connected browser has every successfully sent message (or the timeout). */
async function collect({ timeoutMs = 20_000 }) {
  const expected = () => {
    let n = 0;
    for (const s of state.sends) if (s?.ok) n += s.chat.browsers.filter((b) => b.connected).length;
    return n;
  };
  const deadline = performance.now() + timeoutMs;
  while (state.deliveries < expected() && performance.now() < deadline) await sleep(50);
  await sleep(300); // late duplicates would show up here
  const want = expected();
  // A chat is complete when each of its browsers is connected and has every message sent to the chat.
  const perChat = new Map();
  for (const s of state.sends) if (s?.ok) perChat.set(s.chat, (perChat.get(s.chat) ?? 0) + 1);
  let chatsComplete = 0;
  for (const [chat, n] of perChat) if (chat.browsers.length && chat.browsers.every((b) => b.connected && b.seen.size === n)) chatsComplete++;
  return {
    chatsComplete,
    expectedDeliveries: want,
    delivered: state.deliveries,
    lost: Math.max(0, want - state.deliveries),
    duplicates: state.duplicates,
    unexpected: state.unexpected,
    gapErrors: state.gapErrors,
    latencies: Float64Array.from(state.latencies),
    fromConnect: Float64Array.from(state.fromConnect),
  };
}

// ---- replay -------------------------------------------------------------------------------------

function disconnectAll() {
  let n = 0;
  for (const chat of state.chats) {
    chat.cursorBefore = Math.min(...chat.browsers.map((b) => b.lastSeq));
    for (const b of chat.browsers) {
      if (b.socket) {
        b.socket.disconnect();
        n++;
      }
    }
  }
  return { disconnected: n };
}

/** Every browser reconnects at once with its cursor; resolves when each has exactly its gap. */
async function reconnectAll({ at, timeoutMs = 120_000 }) {
  while (Date.now() < at) await sleep(Math.max(0, Math.min(20, at - Date.now())));
  const t0 = performance.now();
  const wallStart = performance.timeOrigin + t0;
  const browsers = state.chats.flatMap((c) => c.browsers);
  const perChatSent = new Map();
  for (const s of state.sends) if (s?.ok) perChatSent.set(s.chat, (perChatSent.get(s.chat) ?? 0) + 1);
  const opened = await Promise.all(browsers.map((b) => {
    b.gap = { from: b.lastSeq, expected: perChatSent.get(b.chat) ?? 0, items: [], doneAt: null };
    if (b.gap.expected === 0) b.gap.doneAt = t0;
    return b.open(b.lastSeq);
  }));
  const deadline = t0 + timeoutMs;
  while (browsers.some((b) => b.connected && !b.gap.doneAt) && performance.now() < deadline) await sleep(20);
  const lastDone = Math.max(...browsers.map((b) => b.gap.doneAt ?? 0));
  await sleep(500); // anything extra (a duplicate, an item beyond the gap) arrives here
  let exact = 0;
  let wrong = 0;
  let incomplete = 0;
  const times = [];
  for (const b of browsers) {
    const { from, expected, items, doneAt } = b.gap;
    if (!doneAt) {
      incomplete++;
      continue;
    }
    times.push(doneAt - t0);
    const seqsOk = items.length === expected && items.every((item, i) => item.seq === from + 1 + i);
    const contentsOk = items.every((item) => item.content?.startsWith(state.tag));
    if (seqsOk && contentsOk) exact++;
    else wrong++;
  }
  return {
    browsers: browsers.length,
    connectErrors: opened.filter((ok) => !ok).length,
    exact, wrong, incomplete,
    allDoneMs: lastDone ? lastDone - t0 : null,
    startedAtWall: wallStart,
    times: Float64Array.from(times),
  };
}

// ---- misc ---------------------------------------------------------------------------------------

function status() {
  let connected = 0;
  let sockets = 0;
  for (const chat of state.chats) {
    for (const b of chat.browsers) {
      sockets++;
      if (b.connected) connected++;
    }
  }
  return {
    chats: state.chats.length, sockets, connected, disconnects: state.disconnects, connectErrors: state.connectErrors,
    connectErrorReasons: state.connectErrorReasons,
    duplicates: state.duplicates, gapErrors: state.gapErrors, rss: process.memoryUsage().rss,
  };
}

function closeAll() {
  for (const chat of state.chats) for (const b of chat.browsers) b.socket?.disconnect();
  agent.destroy();
  return {};
}

const commands = {
  init: (args) => Object.assign(state, args) && {},
  startChats,
  joinAgents,
  connect,
  agentLoad,
  customerLoad,
  collect,
  disconnectAll,
  reconnectAll,
  status,
  closeAll,
  chatIds: () => state.chats.map((c) => c.chatId),
};

process.on('message', async (msg) => {
  if (msg?.cmd === 'exit') {
    closeAll();
    setTimeout(() => process.exit(0), 50);
    return;
  }
  try {
    const result = await commands[msg.cmd](msg.args ?? {});
    process.send({ id: msg.id, ok: true, result });
  } catch (err) {
    process.send({ id: msg.id, ok: false, error: err instanceof Error ? err.stack : String(err) });
  }
});
process.on('disconnect', () => process.exit(0));

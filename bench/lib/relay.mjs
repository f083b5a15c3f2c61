// The bare relay the `baseline` scenario measures the gateway against: per chat one upstream participant
// WebSocket to the emulator, whose `aws/chat` items are forwarded into that chat's Socket.IO room.
// No persistence, no sequence numbers, no ordering, no de-duplication, no authentication worth the
// name. Run as a child process of the harness (IPC reports the port); browsers use the same
// socket.io-client code as against the gateway.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { setInterval } from 'node:timers';
import { Server } from 'socket.io';
import WebSocket from 'ws';

const emulatorUrl = process.env.EMULATOR_URL;
const upstreams = new Map();
const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });

function call(method, path, body, bearer) {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const headers = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) };
    if (bearer) headers['x-amz-bearer'] = bearer;
    const req = http.request(`${emulatorUrl}${path}`, { method, agent, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        if (res.statusCode >= 300) reject(new Error(`${path}: ${res.statusCode} ${text.slice(0, 200)}`));
        else resolve(JSON.parse(text));
      });
    });
    req.on('error', reject);
    req.end(data);
  });
}

const server = http.createServer((req, res) => {
  if (req.method === 'POST' && req.url === '/relay/chats') {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const { displayName } = JSON.parse(body || '{}');
      startChat(displayName ?? 'Customer').then(
        (chat) => {
          res.writeHead(201, { 'content-type': 'application/json' });
          res.end(JSON.stringify(chat));
        },
        (err) => {
          res.writeHead(502, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: { code: 'UPSTREAM_ERROR', message: err.message } }));
        },
      );
    });
    return;
  }
  res.writeHead(404).end();
});

const ioServer = new Server(server, { transports: ['websocket', 'polling'], cors: { origin: true } });
const nsp = ioServer.of('/chat');
nsp.use((socket, next) => {
  const chatId = socket.handshake.auth?.token;
  if (typeof chatId !== 'string' || !upstreams.has(chatId)) return next(new Error('UNAUTHENTICATED'));
  socket.data.chatId = chatId;
  next();
});
nsp.on('connection', (socket) => void socket.join(socket.data.chatId));

async function startChat(displayName) {
  const started = await call('PUT', '/contact/chat', {
    InstanceId: 'bench-instance',
    ContactFlowId: 'bench-flow',
    ClientToken: randomUUID(),
    ParticipantDetails: { DisplayName: displayName },
  });
  const conn = await call('POST', '/participant/connection', { Type: ['WEBSOCKET', 'CONNECTION_CREDENTIALS'] }, started.ParticipantToken);
  const chatId = started.ContactId;
  const ws = new WebSocket(conn.Websocket.Url, { perMessageDeflate: false });
  await new Promise((resolve, reject) => {
    ws.once('error', reject);
    ws.once('open', () => ws.send(JSON.stringify({ topic: 'aws/subscribe', content: { topics: ['aws/chat'] } })));
    ws.on('message', (data) => {
      let frame;
      try {
        frame = JSON.parse(data.toString());
      } catch {
        return;
      }
      if (frame.topic === 'aws/subscribe') return resolve();
      if (frame.topic !== 'aws/chat' || typeof frame.content !== 'string') return;
      let item;
      try {
        item = JSON.parse(frame.content);
      } catch {
        return;
      }
      if (item.Type !== 'MESSAGE' && item.Type !== 'EVENT' && item.Type !== 'ATTACHMENT') return;
      nsp.to(chatId).emit('chat:item', {
        id: item.Id,
        type: item.Type,
        contentType: item.ContentType,
        content: item.Content,
        participantRole: item.ParticipantRole,
        participantId: item.ParticipantId,
        displayName: item.DisplayName,
        absoluteTime: item.AbsoluteTime,
      });
    });
  });
  upstreams.set(chatId, ws);
  return { chatId, contactId: chatId };
}

// Connect's keepalive, as the gateway sends it.
setInterval(() => {
  for (const ws of upstreams.values()) {
    if (ws.readyState !== WebSocket.OPEN) continue;
    ws.send('{"topic":"aws/ping"}');
    ws.send('{"topic":"aws/heartbeat"}');
  }
}, 10_000).unref();

server.listen(0, '127.0.0.1', () => process.send({ type: 'listening', port: server.address().port }));
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));

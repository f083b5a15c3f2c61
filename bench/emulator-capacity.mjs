// Capacity of the Connect emulator: 10,000 open contacts, each with one subscribed participant socket.
// The emulator runs in this process; the clients run in child processes (a process may hold at most
// 20,000 open files). Uses the built dist/ output: `npm run build && node --expose-gc bench/emulator-capacity.mjs`.
// Options (environment): CONTACTS (default 10000), CLIENT_PROCESSES (default 4).
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';

const self = fileURLToPath(import.meta.url);
const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

if (process.argv[2] === 'client') await runClient();
else await runBench();

async function runBench() {
  const { startEmulator } = await import('../dist/emulator/emulator-server.js');
  const contacts = Number(process.env.CONTACTS ?? 10_000);
  const processes = Number(process.env.CLIENT_PROCESSES ?? 4);
  const emulator = await startEmulator({ port: 0, logLevel: 'warn' });
  const unlimited = { rps: 1_000_000, burst: 1_000_000 };
  const rateLimits = Object.fromEntries(
    ['StartChatContact', 'CreateParticipantConnection', 'SendMessage', 'GetTranscript'].map((op) => [op, unlimited]),
  );
  const res = await fetch(`${emulator.url}/emulator/config`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ rateLimits, concurrentChatLimit: contacts * 2 }),
  });
  if (!res.ok) throw new Error(`config refused: ${await res.text()}`);

  const before = memory();
  const started = Date.now();
  const children = [];
  const done = [];
  for (let i = 0; i < processes; i++) {
    const count = Math.floor(contacts / processes) + (i < contacts % processes ? 1 : 0);
    const child = fork(self, ['client'], { env: { ...process.env, EMULATOR_URL: emulator.url, COUNT: String(count) } });
    children.push(child);
    done.push(
      new Promise((resolve, reject) => {
        child.on('message', (msg) => (msg.type === 'ready' ? resolve(msg) : undefined));
        child.on('exit', (code) => reject(new Error(`client ${i} exited with ${code}`)));
      }),
    );
  }
  const ready = await Promise.all(done);
  const seconds = (Date.now() - started) / 1000;
  const stats = await (await fetch(`${emulator.url}/emulator/stats`)).json();
  const after = memory();

  console.log(`contacts opened: ${ready.reduce((n, r) => n + r.opened, 0)} in ${seconds.toFixed(1)} s by ${processes} client processes`);
  console.log(`emulator stats: ${JSON.stringify(stats)}`);
  console.log(`emulator process before: rss ${mb(before.rss)}, heap used ${mb(before.heapUsed)}`);
  console.log(`emulator process after:  rss ${mb(after.rss)}, heap used ${mb(after.heapUsed)}, external ${mb(after.external)}`);
  console.log(
    `per contact (with its socket): rss ${((after.rss - before.rss) / contacts / 1024).toFixed(1)} KB, ` +
      `heap ${((after.heapUsed - before.heapUsed) / contacts / 1024).toFixed(1)} KB`,
  );
  for (const child of children) {
    child.removeAllListeners('exit');
    child.send({ type: 'exit' });
  }
  await emulator.close();
}

function memory() {
  globalThis.gc?.();
  return process.memoryUsage();
}

async function runClient() {
  const url = process.env.EMULATOR_URL;
  const count = Number(process.env.COUNT);
  const sockets = [];
  let next = 0;
  const json = async (path, method, body, bearer) => {
    const headers = { 'content-type': 'application/json' };
    if (bearer) headers['x-amz-bearer'] = bearer;
    const res = await fetch(url + path, { method, headers, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return res.json();
  };
  async function openOne(n) {
    const chat = await json('/contact/chat', 'PUT', {
      InstanceId: 'bench',
      ContactFlowId: 'flow',
      ClientToken: randomUUID(),
      ParticipantDetails: { DisplayName: `Customer ${process.pid}-${n}` },
    });
    const connection = await json('/participant/connection', 'POST', { Type: ['WEBSOCKET', 'CONNECTION_CREDENTIALS'] }, chat.ParticipantToken);
    const ws = new WebSocket(connection.Websocket.Url);
    await new Promise((resolve, reject) => {
      ws.once('error', reject);
      ws.once('open', () => ws.send(JSON.stringify({ topic: 'aws/subscribe', content: { topics: ['aws/chat'] } })));
      ws.once('message', () => resolve());
    });
    sockets.push(ws);
  }
  const worker = async () => {
    while (next < count) await openOne(next++);
  };
  await Promise.all(Array.from({ length: 32 }, worker));
  process.send({ type: 'ready', opened: sockets.length });
  process.on('message', (msg) => {
    if (msg.type !== 'exit') return;
    for (const ws of sockets) ws.terminate();
    process.exit(0);
  });
}

import { readFileSync } from 'node:fs';
import { StaffFixtures, ADMIN, startStaffGateway } from '../support/staff-fixtures.js';
import type { StaffGateway } from '../support/staff-fixtures.js';

const ITEMS = 100_000;

/** Resident set size of a process, from /proc (Linux). */
function rssBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match![1]) * 1024;
}

/** Downloads without keeping the body: counts bytes and keeps the last few kilobytes. */
async function download(url: string): Promise<{ status: number; bytes: number; tail: string; newlines: number }> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${ADMIN}` } });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let bytes = 0;
  let newlines = 0;
  let tail = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.length;
    const text = decoder.decode(value, { stream: true });
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) newlines++;
    tail = (tail + text).slice(-4096);
  }
  return { status: res.status, bytes, tail, newlines };
}

describe('export of a 100,000-item transcript', () => {
  let gw: StaffGateway;
  let fx: StaffFixtures;
  let chatId: string;

  beforeAll(async () => {
    // A heap cap as a production container would have: V8 then collects promptly instead of growing
    // lazily, so the RSS delta shows live memory. (Measured here: ~5 MiB; without the cap GC laziness
    // alone adds 30–60 MiB; even with --max-old-space-size=64 the export completes.) An export that
    // buffered the transcript (31 MiB of JSON text plus 100,000 row objects) would not fit at all.
    gw = await startStaffGateway({ NODE_OPTIONS: process.env.EXPORT_TEST_NODE_OPTIONS ?? '--max-old-space-size=128' });
    fx = new StaffFixtures(gw.databaseUrl);
    const frontendId = await fx.frontend();
    chatId = await fx.chat({ frontendId, startedAt: new Date('2026-11-26T09:59:00Z') });
    await fx.manyItems(chatId, ITEMS, 120);
    // Warm up the code paths (and the database cache) with one export before measuring.
    await download(`${gw.url}/v1/admin/chats/${chatId}/export?format=txt`);
  }, 120_000);
  afterAll(async () => {
    await fx?.close();
    await gw?.stop();
  });

  it.each(['json', 'csv'] as const)('streams %s in bounded memory', async (format) => {
    const baseline = rssBytes(gw.pid);
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, rssBytes(gw.pid))), 5);
    let result;
    try {
      result = await download(`${gw.url}/v1/admin/chats/${chatId}/export?format=${format}`);
    } finally {
      clearInterval(sampler);
    }
    peak = Math.max(peak, rssBytes(gw.pid));
    const deltaMb = (peak - baseline) / 2 ** 20;
    console.log(`${format} export of ${ITEMS} items: ${(result.bytes / 2 ** 20).toFixed(1)} MiB sent, gateway RSS ${(baseline / 2 ** 20).toFixed(0)} MiB -> peak ${(peak / 2 ** 20).toFixed(0)} MiB (delta ${deltaMb.toFixed(1)} MiB)`);
    expect(result.status).toBe(200);
    if (format === 'json') expect(result.tail).toMatch(new RegExp(`"seq":${ITEMS},"id":"item-${ITEMS}".*\\]\\}$`));
    else expect(result.newlines).toBe(ITEMS + 1);
    // Streaming holds one page of 1,000 items at a time; a generous bound, far below the body's size.
    expect(deltaMb).toBeLessThan(48);
    expect(result.bytes).toBeGreaterThan(ITEMS * 120);
  });
});

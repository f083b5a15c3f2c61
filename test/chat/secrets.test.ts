import pg from 'pg';
import { decrypt } from '../../src/common/crypto.js';
import { EmulatorControl } from '../support/emulator-control.js';
import { TEST_ENCRYPTION_KEY, startTestStack } from '../support/gateway-harness.js';
import type { TestStack } from '../support/gateway-harness.js';
import { TestTab, createFrontend, startChat, widgetFetch } from '../support/widget-client.js';

/** Invariant 5: Connect tokens and WebSocket URLs never reach a browser or a log line, and rest encrypted. */
describe('Connect credentials stay on the server', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack({ LOG_LEVEL: 'trace' });
  });

  afterAll(async () => {
    await stack.close();
  });

  it('are encrypted at rest and absent from responses, socket events and logs', async () => {
    const frontend = await createFrontend(stack);
    const chat = await startChat(stack, frontend, { initialMessage: { contentType: 'text/plain', content: 'hi' } });
    const tab = await TestTab.open(stack, chat.sessionToken);
    const emu = new EmulatorControl(stack.emulator.url);
    await emu.agentJoin(chat.contactId);
    await emu.agentSay(chat.contactId, 'hello');
    await tab.waitFor((t) => t.messages().includes('hello'), 'agent message');
    await tab.emit('chat:send', { content: 'thanks', clientMessageId: 's-1' });
    const responses = [
      JSON.stringify(chat),
      await (await widgetFetch(stack, chat, `/v1/chats/${chat.chatId}`)).text(),
      await (await widgetFetch(stack, chat, `/v1/chats/${chat.chatId}/items`)).text(),
      JSON.stringify(tab.events),
    ].join('\n');

    const db = new pg.Client(stack.database.url);
    await db.connect();
    const row = (await db.query('SELECT participant_token_enc, connection_token_enc FROM chats WHERE id = $1', [chat.chatId])).rows[0];
    await db.end();
    const key = Buffer.from(TEST_ENCRYPTION_KEY, 'base64');
    const participantToken = decrypt(key, row.participant_token_enc);
    const connectionToken = decrypt(key, row.connection_token_enc);
    expect(participantToken.length).toBeGreaterThan(10);
    expect(connectionToken.length).toBeGreaterThan(10);
    expect(row.participant_token_enc).not.toContain(participantToken);

    const logs = stack.gateway.output();
    expect(logs).toContain('request completed');
    for (const secret of [participantToken, connectionToken, frontend.secret, 'test-admin-token-0123456789']) {
      expect(responses).not.toContain(secret);
      expect(logs).not.toContain(secret);
    }
    expect(`${responses}\n${logs}`).not.toMatch(/ws:\/\/127\.0\.0\.1:\d+\/ws/);
    tab.close();
  });
});

import { ConfigError, defaultConfig, mergeConfig } from './emulator-config.js';

describe('mergeConfig', () => {
  it('deep-merges and leaves the base untouched', () => {
    const base = defaultConfig();
    const next = mergeConfig(base, { autoAgent: { joinAfterMs: 0, echo: true }, rateLimits: { SendMessage: { rps: 1 } } });
    expect(next.autoAgent).toEqual({ joinAfterMs: 0, greeting: null, echo: true, displayName: 'Agent' });
    expect(next.rateLimits.SendMessage).toEqual({ rps: 1, burst: 15 });
    expect(base.autoAgent.joinAfterMs).toBeNull();
  });

  it('accepts null for nullable knobs and fills fault rules with defaults', () => {
    const next = mergeConfig(defaultConfig(), {
      disconnectFlow: { endAfterMs: 500 },
      failNext: [{ operation: 'SendMessage' }, { operation: 'StopContact', status: 503, count: 2, contactId: 'c' }],
    });
    expect(next.disconnectFlow.endAfterMs).toBe(500);
    expect(mergeConfig(next, { disconnectFlow: { endAfterMs: null } }).disconnectFlow.endAfterMs).toBeNull();
    expect(next.failNext).toEqual([
      { operation: 'SendMessage', status: 500, errorType: 'InternalServerException', count: 1, message: 'Injected fault' },
      { operation: 'StopContact', status: 503, errorType: 'InternalServiceException', count: 2, message: 'Injected fault', contactId: 'c' },
    ]);
  });

  it.each([
    [{ nope: 1 }, 'unknown setting nope'],
    [{ autoAgent: { joinAfterMs: 'soon' } }, 'autoAgent.joinAfterMs must be a number'],
    [{ latencyMs: -1 }, 'latencyMs must be a number ≥ 0'],
    [{ websocketLifetimeSeconds: 0 }, 'must be > 0'],
    [{ rateLimits: { Bogus: { rps: 1, burst: 1 } } }, 'unknown setting rateLimits.Bogus'],
    [{ rateLimits: { SendMessage: { rps: 0 } } }, 'rps must be a number > 0'],
    [{ failNext: [{ operation: 'Nope' }] }, 'failNext[0].operation'],
    [{ failNext: [{ operation: 'SendMessage', status: 200 }] }, 'failNext[0].status'],
    [{ autoAgent: 3 }, 'autoAgent must be an object'],
    [[], 'config must be a JSON object'],
  ])('refuses %j', (patch, message) => {
    expect(() => mergeConfig(defaultConfig(), patch)).toThrow(ConfigError);
    expect(() => mergeConfig(defaultConfig(), patch)).toThrow(message);
  });
});

import { ConnectError } from './connect-error.js';
import { retryUnavailable } from './idempotent-retry.js';

function failing(failures: ConnectError[], result = 'ok'): { call: () => Promise<string>; calls: () => number } {
  let calls = 0;
  return {
    call: async () => {
      const failure = failures[calls++];
      if (failure) throw failure;
      return result;
    },
    calls: () => calls,
  };
}

const unavailable = (): ConnectError => new ConnectError('unavailable', 'StartChatContact', 'ECONNRESET', undefined);

describe('retryUnavailable', () => {
  it('tries again after Connect was unreachable, up to the number of delays', async () => {
    const twice = failing([unavailable(), unavailable()]);
    await expect(retryUnavailable(twice.call, [1, 1])).resolves.toBe('ok');
    expect(twice.calls()).toBe(3);

    const always = failing([unavailable(), unavailable(), unavailable()]);
    await expect(retryUnavailable(always.call, [1, 1])).rejects.toMatchObject({ failure: 'unavailable' });
    expect(always.calls()).toBe(3);
  });

  it('does not retry throttling, refusals or errors that are not Connect answers', async () => {
    for (const err of [
      new ConnectError('throttled', 'StartChatContact', 'ThrottlingException', 429),
      new ConnectError('rejected', 'StartChatContact', 'InvalidParameterException', 400),
    ]) {
      const once = failing([err]);
      await expect(retryUnavailable(once.call, [1, 1])).rejects.toBe(err);
      expect(once.calls()).toBe(1);
    }
    let calls = 0;
    await expect(retryUnavailable(async () => {
      calls++;
      throw new TypeError('bug');
    }, [1])).rejects.toBeInstanceOf(TypeError);
    expect(calls).toBe(1);
  });
});

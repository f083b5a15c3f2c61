import { ConnectError } from './connect-error.js';

/** Pauses before the second and third attempt: short, as a person is waiting for the answer. */
export const IDEMPOTENT_RETRY_DELAYS_MS = [200, 600];

/**
 * Runs a call that carries a ClientToken again when Connect could not be reached or answered 5xx (a
 * reset keep-alive connection, a restarting endpoint): Connect answers the same ClientToken with the
 * same result, so a retry never starts a second chat. Throttling and refusals are not retried here.
 */
export async function retryUnavailable<T>(call: () => Promise<T>, delaysMs: readonly number[] = IDEMPOTENT_RETRY_DELAYS_MS): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      const delay = delaysMs[attempt];
      if (delay === undefined || !(err instanceof ConnectError) || err.failure !== 'unavailable') throw err;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

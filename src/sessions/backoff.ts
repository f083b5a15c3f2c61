/**
 * Delay before retry number `attempt` (0-based): `base × 2^attempt`, capped at `max`, with ±30 %
 * jitter (ChatJS's WEBSOCKET_REINIT_JITTER) so that chats dropped together do not retry together.
 */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const raw = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(raw * (0.7 + random() * 0.6));
}

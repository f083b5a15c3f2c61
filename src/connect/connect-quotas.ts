/** A token bucket's size: `rps` tokens per second, at most `burst` saved up. */
export interface RateLimit {
  rps: number;
  burst: number;
}

/**
 * Amazon Connect's published API rate limits (connect-protocol.md §4; Connect service per account and
 * region, participant service per instance). Operations not listed get the "most other operations" limit.
 */
export const CONNECT_RATE_LIMITS: Readonly<Record<string, RateLimit>> = {
  StartChatContact: { rps: 5, burst: 8 },
  StopContact: { rps: 2, burst: 5 },
  CreateParticipantConnection: { rps: 6, burst: 9 },
  DisconnectParticipant: { rps: 3, burst: 5 },
  GetTranscript: { rps: 8, burst: 12 },
  SendMessage: { rps: 10, burst: 15 },
  SendEvent: { rps: 10, burst: 15 },
  StartAttachmentUpload: { rps: 2, burst: 5 },
  CompleteAttachmentUpload: { rps: 2, burst: 5 },
  GetAttachment: { rps: 8, burst: 12 },
};

export const OTHER_OPERATIONS_LIMIT: RateLimit = { rps: 2, burst: 5 };

/** Operations of the Connect service proper: limited per account and region, not per instance. */
export const ACCOUNT_OPERATIONS: ReadonlySet<string> = new Set(['StartChatContact', 'StopContact']);

/**
 * The limits this process paces itself to: the published ones with `overrides` applied, each scaled by
 * `fraction` (headroom against clock skew and other clients; divide by the number of gateway processes
 * sharing an instance).
 */
export function effectiveLimits(overrides: Record<string, RateLimit>, fraction: number): (operation: string) => RateLimit {
  const merged: Record<string, RateLimit> = { ...CONNECT_RATE_LIMITS, ...overrides };
  const scale = (l: RateLimit): RateLimit => ({ rps: l.rps * fraction, burst: Math.max(1, Math.floor(l.burst * fraction)) });
  const scaled = new Map(Object.entries(merged).map(([op, l]) => [op, scale(l)]));
  const other = scale(OTHER_OPERATIONS_LIMIT);
  return (operation) => scaled.get(operation) ?? other;
}

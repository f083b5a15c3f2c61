import { AppError } from '../common/app-error.js';

/**
 * What went wrong upstream, in our terms. `ended`: Connect no longer accepts this chat's tokens (403
 * after the chat ended). `throttled` and `unavailable` are retryable; `rejected` is the caller's fault.
 */
export type ConnectFailure = 'ended' | 'throttled' | 'unavailable' | 'rejected' | 'conflict' | 'quota' | 'not-found';

export class ConnectError extends Error {
  constructor(
    readonly failure: ConnectFailure,
    readonly operation: string,
    readonly awsName: string,
    readonly status: number | undefined,
  ) {
    // AWS messages can echo request content; only the error name and operation leave this class.
    super(`${operation} failed: ${awsName}${status ? ` (${status})` : ''}`);
    this.name = 'ConnectError';
  }

  get retryable(): boolean {
    return this.failure === 'throttled' || this.failure === 'unavailable';
  }

  toAppError(): AppError {
    switch (this.failure) {
      case 'ended':
        return new AppError('CHAT_ENDED', 'The chat has ended.');
      case 'throttled':
      case 'quota':
        return new AppError('RATE_LIMITED', 'Amazon Connect is busy; try again shortly.', { retryAfterSeconds: 2 });
      case 'unavailable':
        return new AppError('UPSTREAM_UNAVAILABLE', 'Amazon Connect is unavailable; try again shortly.', { retryAfterSeconds: 2 });
      case 'conflict':
        return new AppError('CONFLICT', 'Amazon Connect refused this in the chat\'s current state.');
      case 'not-found':
        return new AppError('NOT_FOUND', 'Amazon Connect does not know this chat.');
      default:
        return new AppError('UPSTREAM_ERROR', 'Amazon Connect rejected the request.');
    }
  }
}

const BY_NAME: Record<string, ConnectFailure> = {
  AccessDeniedException: 'ended',
  ThrottlingException: 'throttled',
  TooManyRequestsException: 'throttled',
  LimitExceededException: 'quota',
  ServiceQuotaExceededException: 'quota',
  InternalServerException: 'unavailable',
  InternalServiceException: 'unavailable',
  ServiceUnavailableException: 'unavailable',
  ValidationException: 'rejected',
  InvalidRequestException: 'rejected',
  InvalidParameterException: 'rejected',
  ConflictException: 'conflict',
  ContactNotFoundException: 'not-found',
  ResourceNotFoundException: 'not-found',
};

/** Translates an AWS SDK (or network) error once, at the boundary. */
export function translateAwsError(operation: string, err: unknown): ConnectError {
  if (err instanceof ConnectError) return err;
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number }; code?: string };
  const status = e?.$metadata?.httpStatusCode;
  const name = typeof e?.name === 'string' ? e.name : 'Error';
  let failure = BY_NAME[name];
  if (!failure) {
    if (status === 403) failure = 'ended';
    else if (status === 429) failure = 'throttled';
    else if (status === undefined || status >= 500) failure = 'unavailable';
    else failure = 'rejected';
  }
  return new ConnectError(failure, operation, name, status);
}

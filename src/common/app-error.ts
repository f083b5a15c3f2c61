/** The one error vocabulary of the gateway; mapped once per transport (HTTP filter, Socket.IO acks). */
export const ERROR_STATUS = {
  VALIDATION_FAILED: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  CHAT_ENDED: 409,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  UPSTREAM_ERROR: 502,
  UPSTREAM_UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface FieldProblem {
  field: string;
  message: string;
}

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly extra: { details?: FieldProblem[]; retryAfterSeconds?: number } = {},
  ) {
    super(message);
    this.name = 'AppError';
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }

  toBody(): { error: { code: ErrorCode; message: string; details?: FieldProblem[] } } {
    const body: { code: ErrorCode; message: string; details?: FieldProblem[] } = { code: this.code, message: this.message };
    if (this.extra.details?.length) body.details = this.extra.details;
    return { error: body };
  }

  static validation(details: FieldProblem[], message = 'The request is not valid.'): AppError {
    return new AppError('VALIDATION_FAILED', message, { details });
  }
}

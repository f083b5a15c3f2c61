import { Catch, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { ArgumentsHost, ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { ThrottlerException } from '@nestjs/throttler';
import { AppError } from './app-error.js';
import type { ErrorCode } from './app-error.js';

const STATUS_CODES: Record<number, ErrorCode> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  429: 'RATE_LIMITED',
};

/** Every HTTP error leaves as `{ error: { code, message } }`; never a stack, never a secret. */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly log = new Logger('HttpError');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const res = host.switchToHttp().getResponse<Response>();
    if (res.headersSent) return;
    if (isHealthFailure(exception)) {
      // /health/* answer in Terminus's own format (CONTRACT.md): 503 naming the failing checks.
      res.status(exception.getStatus()).json(exception.getResponse());
      return;
    }
    const error = this.toAppError(exception);
    if (error.extra.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(error.extra.retryAfterSeconds));
    res.status(error.status).json(error.toBody());
  }

  private toAppError(exception: unknown): AppError {
    if (exception instanceof AppError) return exception;
    if (exception instanceof ThrottlerException) {
      return new AppError('RATE_LIMITED', 'Too many requests; try again later.', { retryAfterSeconds: 60 });
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const code = STATUS_CODES[status];
      if (code) return new AppError(code, this.publicMessage(exception, status));
      if (status < 500) return new AppError('VALIDATION_FAILED', this.publicMessage(exception, status));
    }
    if (isBodyParserError(exception)) {
      return exception.type === 'entity.too.large'
        ? new AppError('PAYLOAD_TOO_LARGE', 'The request body is too large.')
        : AppError.validation([{ field: 'body', message: 'must be valid JSON' }], 'The request body is not valid JSON.');
    }
    this.log.error({ err: exception }, 'unhandled error');
    return new AppError('INTERNAL', 'Something went wrong on our side.');
  }

  private publicMessage(exception: HttpException, status: number): string {
    if (status === HttpStatus.NOT_FOUND) return 'Not found.';
    const msg = exception.message;
    return typeof msg === 'string' && msg.length < 200 ? msg : 'The request was refused.';
  }
}

function isHealthFailure(e: unknown): e is HttpException {
  if (!(e instanceof HttpException) || e.getStatus() !== HttpStatus.SERVICE_UNAVAILABLE) return false;
  const body = e.getResponse() as { status?: unknown; details?: unknown };
  return typeof body === 'object' && body !== null && body.status === 'error' && typeof body.details === 'object';
}

function isBodyParserError(e: unknown): e is { type: string } {
  return typeof e === 'object' && e !== null && typeof (e as { type?: unknown }).type === 'string'
    && typeof (e as { statusCode?: unknown }).statusCode === 'number';
}

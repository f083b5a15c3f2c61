/** An error answered the way the AWS service does: status, `x-amzn-ErrorType` header and a JSON `message`. */
export class AwsError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

export const accessDenied = (): AwsError => new AwsError(403, 'AccessDeniedException', 'Access denied');

export const validationError = (message: string): AwsError => new AwsError(400, 'ValidationException', message);

export const conflict = (message: string): AwsError => new AwsError(409, 'ConflictException', message);

export const serviceQuotaExceeded = (message: string): AwsError =>
  new AwsError(402, 'ServiceQuotaExceededException', message);

export const invalidParameter = (message: string): AwsError => new AwsError(400, 'InvalidParameterException', message);

export const invalidRequest = (message: string): AwsError => new AwsError(400, 'InvalidRequestException', message);

export const resourceNotFound = (message: string): AwsError => new AwsError(404, 'ResourceNotFoundException', message);

export const contactNotFound = (): AwsError => new AwsError(410, 'ContactNotFoundException', 'Contact not found or already ended');

export const serializationError = (message: string): AwsError => new AwsError(400, 'SerializationException', message);

/** The message Coral-style model validation produces, so logs and clients see familiar text. */
export function constraintMessage(field: string, constraint: string): string {
  return `1 validation error detected: Value at '${field}' failed to satisfy constraint: ${constraint}`;
}

/**
 * The one error model. Services throw these; the error middleware turns them into
 * `{ message, code, details? }` with the status the class carries. Nothing else picks status codes
 * for failures.
 */
export class AppError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends AppError {
  constructor(message = 'Invalid request', details?: unknown, code = 'VALIDATION_ERROR') {
    super(code, message, 400, details);
  }
}

export class Unauthorized extends AppError {
  constructor(message = 'Authentication required', code = 'UNAUTHORIZED') {
    super(code, message, 401);
  }
}

export class PaymentDeclined extends AppError {
  constructor(message: string, details?: unknown, code = 'PAYMENT_DECLINED') {
    super(code, message, 402, details);
  }
}

export class Forbidden extends AppError {
  constructor(message = 'You do not have permission to do this', code = 'FORBIDDEN') {
    super(code, message, 403);
  }
}

export class NotFound extends AppError {
  constructor(message = 'Not found', code = 'NOT_FOUND') {
    super(code, message, 404);
  }
}

export class Conflict extends AppError {
  constructor(message: string, code = 'CONFLICT', details?: unknown) {
    super(code, message, 409, details);
  }
}

export class UnsupportedMediaType extends AppError {
  constructor(message = 'Content-Type must be application/json') {
    super('UNSUPPORTED_MEDIA_TYPE', message, 415);
  }
}

export class Unprocessable extends AppError {
  constructor(message: string, code = 'UNPROCESSABLE') {
    super(code, message, 422);
  }
}

export class TooManyRequests extends AppError {
  constructor(message = 'Too many requests, please try again later') {
    super('RATE_LIMITED', message, 429);
  }
}

export class PaymentGatewayError extends AppError {
  constructor(message = 'The payment provider could not be reached, please try again', details?: unknown) {
    super('PAYMENT_GATEWAY_ERROR', message, 502, details);
  }
}

export class ServiceUnavailable extends AppError {
  constructor(message = 'Service temporarily unavailable', code = 'SERVICE_UNAVAILABLE') {
    super(code, message, 503);
  }
}

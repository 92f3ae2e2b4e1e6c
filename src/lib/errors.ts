import type { CodeWithStatus, ErrorCode } from './error-codes';

/**
 * One entry of an error body's `details`, the same shape for every code: a `message` always, the
 * request field's `path` when the problem is in one, and fields of its own for some codes
 * (OUT_OF_STOCK: productId, requested, available; CARD_DECLINED: declineCode, orderId, paymentIntentId).
 */
export interface ErrorDetail {
  message: string;
  path?: string;
  productId?: string;
  requested?: number;
  available?: number;
  declineCode?: string;
  orderId?: string;
  paymentIntentId?: string;
  code?: string;
  [field: string]: unknown;
}

/**
 * The one error model. Services throw these; the error middleware turns them into
 * `{ message, code, details? }` with the status the class carries. Nothing else picks status codes
 * for failures. Codes come from ERROR_CODES, the list the OpenAPI document is made from.
 */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly status: number,
    readonly details?: ErrorDetail[],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends AppError {
  constructor(message = 'Invalid request', details?: ErrorDetail[], code: CodeWithStatus<400> = 'VALIDATION_ERROR') {
    super(code, message, 400, details);
  }
}

export class Unauthorized extends AppError {
  constructor(message = 'Authentication required', code: CodeWithStatus<401> = 'UNAUTHORIZED') {
    super(code, message, 401);
  }
}

export class PaymentDeclined extends AppError {
  constructor(message: string, details?: ErrorDetail[], code: CodeWithStatus<402> = 'PAYMENT_DECLINED') {
    super(code, message, 402, details);
  }
}

export class Forbidden extends AppError {
  constructor(message = 'You do not have permission to do this', code: CodeWithStatus<403> = 'FORBIDDEN') {
    super(code, message, 403);
  }
}

export class NotFound extends AppError {
  constructor(message = 'Not found', code: CodeWithStatus<404> = 'NOT_FOUND') {
    super(code, message, 404);
  }
}

export class Conflict extends AppError {
  constructor(message: string, code: CodeWithStatus<409> = 'CONFLICT', details?: ErrorDetail[]) {
    super(code, message, 409, details);
  }
}

export class UnsupportedMediaType extends AppError {
  constructor(message = 'Content-Type must be application/json') {
    super('UNSUPPORTED_MEDIA_TYPE', message, 415);
  }
}

export class Unprocessable extends AppError {
  constructor(message: string, code: CodeWithStatus<422> = 'UNPROCESSABLE') {
    super(code, message, 422);
  }
}

export class TooManyRequests extends AppError {
  constructor(message = 'Too many requests, please try again later') {
    super('RATE_LIMITED', message, 429);
  }
}

export class PaymentGatewayError extends AppError {
  constructor(message = 'The payment provider could not be reached, please try again', details?: ErrorDetail[]) {
    super('PAYMENT_GATEWAY_ERROR', message, 502, details);
  }
}

export class ServiceUnavailable extends AppError {
  constructor(message = 'Service temporarily unavailable', code: CodeWithStatus<503> = 'SERVICE_UNAVAILABLE') {
    super(code, message, 503);
  }
}

import type { NextFunction, Request, Response } from 'express';
import mongoose from 'mongoose';
import { ZodError } from 'zod';
import { isDuplicateKeyError } from '../lib/db-errors';
import { currentRequestId, type Logger } from '../lib/logger';
import { AppError, NotFound } from '../lib/errors';
import type { ErrorBody } from '../schemas/error.schemas';
import { requestIdOf } from './request-context';

export type { ErrorBody };

interface Mapped {
  status: number;
  body: ErrorBody;
}

/** body-parser (express.json / express.raw) marks its errors with a `type`. */
const BODY_PARSER_ERRORS: Record<string, Mapped> = {
  'entity.parse.failed': { status: 400, body: { message: 'Malformed JSON in request body', code: 'MALFORMED_JSON' } },
  'entity.too.large': { status: 413, body: { message: 'Request body is too large', code: 'PAYLOAD_TOO_LARGE' } },
  'parameters.too.many': { status: 413, body: { message: 'Too many parameters', code: 'PAYLOAD_TOO_LARGE' } },
  'encoding.unsupported': {
    status: 415,
    body: { message: 'Unsupported content encoding', code: 'UNSUPPORTED_MEDIA_TYPE' },
  },
  'charset.unsupported': { status: 415, body: { message: 'Unsupported charset', code: 'UNSUPPORTED_MEDIA_TYPE' } },
  'request.aborted': { status: 400, body: { message: 'Request was aborted', code: 'BAD_REQUEST' } },
  'request.size.invalid': {
    status: 400,
    body: { message: 'Request size did not match Content-Length', code: 'BAD_REQUEST' },
  },
};

const DATABASE_DOWN = new Set([
  'MongoServerSelectionError',
  'MongooseServerSelectionError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoNotConnectedError',
  // The pool was cleared (the connection dropped under a request), or the client is closing at shutdown.
  'MongoPoolClearedError',
  'MongoServerClosedError',
  'MongoTopologyClosedError',
  'MongoClientClosedError',
]);
/**
 * A bare socket error reaching a request: the database driver lets some through unwrapped (writing to a
 * connection the server has just closed gives Node's EPIPE "This socket has been ended by the other party");
 * the Stripe SDK wraps its own, so here it is the database.
 */
const SOCKET_ERRORS = new Set(['EPIPE', 'ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'ENOTCONN', 'ETIMEDOUT']);
/** Server answers during a replica-set failover: not primary / node is recovering / shutting down. */
const FAILOVER_CODES = new Set([91, 189, 10107, 11600, 11602, 13435, 13436]);
/** Mongoose queues operations while disconnected and gives up with this message. */
const BUFFERING_TIMED_OUT = /buffering timed out/;

/** Turns anything thrown into a status and the one error body shape. Exported for its unit test. */
export function mapError(error: unknown): Mapped | undefined {
  if (error instanceof AppError) {
    const body: ErrorBody = { message: error.message, code: error.code };
    if (error.details !== undefined) body.details = error.details;
    return { status: error.status, body };
  }
  if (error instanceof ZodError) {
    // One entry per problem: the same message for the same field is said once.
    const details = [
      ...new Map(
        error.issues.map((issue) => [
          `${issue.path.join('.')}\n${issue.message}`,
          { path: issue.path.join('.'), message: issue.message },
        ]),
      ).values(),
    ];
    return { status: 400, body: { message: 'Validation failed', code: 'VALIDATION_ERROR', details } };
  }
  if (error instanceof mongoose.Error.CastError) {
    return { status: 400, body: { message: `Invalid value for ${error.path}`, code: 'INVALID_VALUE' } };
  }
  if (error instanceof mongoose.Error.ValidationError) {
    const details = Object.values(error.errors).map((e) => ({ path: e.path, message: e.message }));
    return { status: 400, body: { message: 'Validation failed', code: 'VALIDATION_ERROR', details } };
  }
  if (error instanceof mongoose.Error.StrictModeError) {
    return { status: 400, body: { message: 'Unknown field', code: 'VALIDATION_ERROR' } };
  }
  if (isDuplicateKeyError(error)) {
    return { status: 409, body: { message: 'Resource already exists', code: 'CONFLICT' } };
  }
  if (typeof error !== 'object' || error === null) return undefined;
  const { type, name, status, expose } = error as {
    type?: unknown;
    name?: unknown;
    status?: unknown;
    expose?: unknown;
  };
  if (typeof type === 'string' && type in BODY_PARSER_ERRORS) return BODY_PARSER_ERRORS[type];
  const { message, code } = error as { message?: unknown; code?: unknown };
  const failover = name === 'MongoServerError' && typeof code === 'number' && FAILOVER_CODES.has(code);
  const socketError = typeof code === 'string' && SOCKET_ERRORS.has(code);
  if (
    (typeof name === 'string' && DATABASE_DOWN.has(name)) ||
    failover ||
    socketError ||
    (typeof message === 'string' && BUFFERING_TIMED_OUT.test(message))
  ) {
    return { status: 503, body: { message: 'Database unavailable, please retry', code: 'DATABASE_UNAVAILABLE' } };
  }
  // The router cannot decode a path parameter (`/api/products/%`): a client mistake, never a fault of ours.
  if (name === 'URIError') {
    return { status: 400, body: { message: 'Malformed percent-encoding in the URL', code: 'MALFORMED_URL' } };
  }
  // Other http-errors from Express itself: their status, a generic message.
  if (typeof status === 'number' && status >= 400 && status < 500 && expose === true) {
    return { status, body: { message: 'Bad request', code: 'BAD_REQUEST' } };
  }
  return undefined;
}

export function notFoundHandler(req: Request) {
  throw new NotFound(`Route ${req.method} ${req.path} not found`, 'ROUTE_NOT_FOUND');
}

export function errorHandler(logger: Logger) {
  return (error: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(error);
    const requestId = requestIdOf(req) ?? currentRequestId();
    const mapped = mapError(error);
    if (mapped) {
      if (mapped.status >= 500)
        logger.warn('request failed', { requestId, status: mapped.status, code: mapped.body.code, path: req.path });
      res.status(mapped.status).json({ ...mapped.body, requestId } satisfies ErrorBody);
      return;
    }
    // Unknown failure: the details stay in the log, the client gets a generic message.
    logger.error('unhandled error', {
      requestId,
      method: req.method,
      path: req.path,
      error: error instanceof Error ? error.stack : String(error),
    });
    res.status(500).json({ message: 'Internal server error', code: 'INTERNAL_ERROR', requestId } satisfies ErrorBody);
  };
}

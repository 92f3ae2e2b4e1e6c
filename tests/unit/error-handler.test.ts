import express from 'express';
import mongoose from 'mongoose';
import request from 'supertest';
import { z } from 'zod';
import { Conflict, NotFound, PaymentGatewayError, ValidationError } from '../../src/lib/errors';
import { silentLogger } from '../../src/lib/logger';
import { errorHandler, mapError } from '../../src/middleware/error-handler';

/** A tiny app whose only route throws the given error, so the real middleware answers. */
function answerFor(error: unknown) {
  const app = express();
  app.get('/boom', () => {
    throw error;
  });
  app.use(errorHandler(silentLogger));
  return request(app).get('/boom');
}

const bodyParserError = (type: string) => Object.assign(new Error('raw parser message'), { type });

describe('error mapping', () => {
  it.each([
    ['an AppError', new Conflict('Taken', 'EMAIL_TAKEN'), 409, { message: 'Taken', code: 'EMAIL_TAKEN' }],
    [
      'an AppError with details',
      new ValidationError('Bad', [{ path: 'x', message: 'Is wrong' }]),
      400,
      { message: 'Bad', code: 'VALIDATION_ERROR', details: [{ path: 'x', message: 'Is wrong' }] },
    ],
    ['a NotFound', new NotFound(), 404, { message: 'Not found', code: 'NOT_FOUND' }],
    [
      'a PaymentGatewayError',
      new PaymentGatewayError(),
      502,
      { message: expect.any(String), code: 'PAYMENT_GATEWAY_ERROR' },
    ],
    [
      'a duplicate key error',
      Object.assign(new Error('E11000 duplicate key'), { code: 11000 }),
      409,
      { message: 'Resource already exists', code: 'CONFLICT' },
    ],
    [
      'malformed JSON',
      bodyParserError('entity.parse.failed'),
      400,
      { message: 'Malformed JSON in request body', code: 'MALFORMED_JSON' },
    ],
    [
      'a body over the limit',
      bodyParserError('entity.too.large'),
      413,
      { message: 'Request body is too large', code: 'PAYLOAD_TOO_LARGE' },
    ],
    [
      'too many parameters',
      bodyParserError('parameters.too.many'),
      413,
      { message: 'Too many parameters', code: 'PAYLOAD_TOO_LARGE' },
    ],
    [
      'an unsupported encoding',
      bodyParserError('encoding.unsupported'),
      415,
      { message: 'Unsupported content encoding', code: 'UNSUPPORTED_MEDIA_TYPE' },
    ],
    [
      'an unsupported charset',
      bodyParserError('charset.unsupported'),
      415,
      { message: 'Unsupported charset', code: 'UNSUPPORTED_MEDIA_TYPE' },
    ],
    [
      'an aborted request',
      bodyParserError('request.aborted'),
      400,
      { message: 'Request was aborted', code: 'BAD_REQUEST' },
    ],
    [
      'a size mismatch',
      bodyParserError('request.size.invalid'),
      400,
      { message: expect.any(String), code: 'BAD_REQUEST' },
    ],
    [
      'a lost database',
      Object.assign(new Error('connect ECONNREFUSED'), { name: 'MongoServerSelectionError' }),
      503,
      { message: 'Database unavailable, please retry', code: 'DATABASE_UNAVAILABLE' },
    ],
    [
      'a Mongoose selection failure',
      Object.assign(new Error('connect ECONNREFUSED'), { name: 'MongooseServerSelectionError' }),
      503,
      { message: 'Database unavailable, please retry', code: 'DATABASE_UNAVAILABLE' },
    ],
    [
      'a buffering timeout',
      new Error('Operation `orders.findOne()` buffering timed out after 500ms'),
      503,
      { message: 'Database unavailable, please retry', code: 'DATABASE_UNAVAILABLE' },
    ],
    [
      'an undecodable path parameter',
      Object.assign(new URIError("Failed to decode param '%'"), { status: 400 }),
      400,
      { message: 'Malformed percent-encoding in the URL', code: 'MALFORMED_URL' },
    ],
    [
      'a cleared connection pool',
      Object.assign(new Error('Connection pool was cleared'), { name: 'MongoPoolClearedError' }),
      503,
      { message: 'Database unavailable, please retry', code: 'DATABASE_UNAVAILABLE' },
    ],
    [
      'a replica-set failover',
      Object.assign(new Error('not primary'), { name: 'MongoServerError', code: 10107 }),
      503,
      { message: 'Database unavailable, please retry', code: 'DATABASE_UNAVAILABLE' },
    ],
    [
      'a bare socket error from the driver',
      Object.assign(new Error('This socket has been ended by the other party'), { code: 'EPIPE' }),
      503,
      { message: 'Database unavailable, please retry', code: 'DATABASE_UNAVAILABLE' },
    ],
    [
      'another server error',
      Object.assign(new Error('bad'), { name: 'MongoServerError', code: 2 }),
      500,
      { message: 'Internal server error', code: 'INTERNAL_ERROR' },
    ],
    [
      'an exposed http error',
      Object.assign(new Error('URI malformed'), { status: 400, expose: true }),
      400,
      { message: 'Bad request', code: 'BAD_REQUEST' },
    ],
  ])('maps %s', async (_label, error, status, body) => {
    const res = await answerFor(error);

    expect(res.status).toBe(status);
    expect(res.body).toEqual(body);
  });

  it('maps a ZodError to 400 with one detail per field', async () => {
    const parsed = z.object({ email: z.string(), age: z.number() }).safeParse({ email: 1 });

    const res = await answerFor(parsed.error);

    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      message: 'Validation failed',
      code: 'VALIDATION_ERROR',
      details: [
        { path: 'email', message: expect.any(String) },
        { path: 'age', message: expect.any(String) },
      ],
    });
  });

  it('maps a Mongoose CastError to 400 without the "Cast to ObjectId" text', async () => {
    const error = new mongoose.Error.CastError('ObjectId', 'nope', '_id');

    const res = await answerFor(error);

    expect(res.status).toBe(400);
    expect(res.body).toEqual({ message: 'Invalid value for _id', code: 'INVALID_VALUE' });
  });

  it('maps a Mongoose ValidationError to 400 with details', async () => {
    const doc = new (mongoose.model(
      'ErrorMapProbe',
      new mongoose.Schema({ name: { type: String, required: true } }),
    ))();
    const error = await doc.validate().catch((e: unknown) => e);

    const res = await answerFor(error);

    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      message: 'Validation failed',
      code: 'VALIDATION_ERROR',
      details: [{ path: 'name', message: expect.any(String) }],
    });
  });

  it('maps a Mongoose StrictModeError to 400', async () => {
    const res = await answerFor(new mongoose.Error.StrictModeError('role'));

    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_ERROR');
  });

  it.each([
    ['an unknown Error', new Error('secret internals at /srv/app.js:10')],
    ['a thrown string', 'just a string'],
    ['a non-exposed 4xx-looking error', Object.assign(new Error('internal'), { status: 400, expose: false })],
    ['a 5xx http error', Object.assign(new Error('internal'), { status: 503, expose: true })],
    ['a plain object', { reason: 'odd' }],
  ])('maps %s to a generic 500 that leaks nothing', async (_label, error) => {
    const res = await answerFor(error);

    expect(res.status).toBe(500);
    expect(res.body).toEqual({ message: 'Internal server error', code: 'INTERNAL_ERROR' });
  });

  it('returns undefined for errors it does not know, so the handler treats them as 500', () => {
    expect(mapError(new TypeError('x'))).toBeUndefined();
  });
});

import type http from 'node:http';
import type { Logger } from '../../src/lib/logger';
import { GatewayError } from '../../src/payments/gateway';
import { createStripeGateway } from '../../src/payments/stripe.gateway';
import { startHttpServer, stripeSettingsFor, type TestServer } from '../helpers/stripe-services';

/**
 * How the Stripe adapter reads real Stripe's answers that neither stand-in gives (localstripe's differ,
 * stripe-mock never fails on state): a small HTTP server answers with the documented error bodies.
 */
type Answer = { status: number; body: unknown } | { status: number; text: string };

const stripeError = (status: number, error: Record<string, unknown>): Answer => ({ status, body: { error } });
const intentBody = (id: string, status: string): Answer => ({
  status: 200,
  body: { id, object: 'payment_intent', status, client_secret: `${id}_secret_x`, amount: 2599, currency: 'usd' },
});

const UNEXPECTED_STATE = stripeError(400, {
  type: 'invalid_request_error',
  code: 'payment_intent_unexpected_state',
  message:
    'You cannot cancel this PaymentIntent because it has a status of succeeded. Only a PaymentIntent with one of the following statuses may be canceled: requires_payment_method, requires_capture, requires_confirmation, requires_action, processing.',
});

describe('Stripe gateway reading real Stripe answers', () => {
  let server: TestServer;
  let answers: Map<string, Answer>;
  let logged: string[];

  const logger: Logger = {
    debug: () => undefined,
    info: (message) => logged.push(`info ${message}`),
    warn: (message) => logged.push(`warn ${message}`),
    error: (message) => logged.push(`error ${message}`),
  };
  const gateway = () => createStripeGateway(stripeSettingsFor(server.url, { timeoutMs: 2000 }), logger);

  beforeAll(async () => {
    server = await startHttpServer((request: http.IncomingMessage, response: http.ServerResponse) => {
      const answer =
        answers.get(`${request.method} ${request.url}`) ??
        stripeError(404, { type: 'invalid_request_error', message: 'Unrouted' });
      request.resume();
      if ('text' in answer) response.writeHead(answer.status, { 'Content-Type': 'text/plain' }).end(answer.text);
      else
        response
          .writeHead(answer.status, { 'Content-Type': 'application/json', 'Request-Id': 'req_test' })
          .end(JSON.stringify(answer.body));
    });
  });

  beforeEach(() => {
    answers = new Map();
    logged = [];
  });

  afterAll(async () => {
    await server.close();
  });

  it("when Stripe declines with a decline code, then the GatewayError carries Stripe's code and decline code", async () => {
    // Arrange
    answers.set('POST /v1/payment_intents/pi_1', intentBody('pi_1', 'requires_confirmation'));
    answers.set(
      'POST /v1/payment_intents/pi_1/confirm',
      stripeError(402, {
        type: 'card_error',
        code: 'card_declined',
        decline_code: 'insufficient_funds',
        message: 'Your card has insufficient funds.',
      }),
    );

    // Act
    const confirming = gateway().confirmPaymentIntent('pi_1', 'pm_card_chargeDeclinedInsufficientFunds');

    // Assert
    await expect(confirming).rejects.toEqual(
      new GatewayError('declined', 'Your card has insufficient funds.', 'card_declined', 'insufficient_funds'),
    );
    expect(logged).toEqual(['info Stripe declined the card']);
  });

  it('when Stripe refuses to cancel a paid intent, then the gateway reads it back and reports succeeded', async () => {
    answers.set('POST /v1/payment_intents/pi_2/cancel', UNEXPECTED_STATE);
    answers.set('GET /v1/payment_intents/pi_2', intentBody('pi_2', 'succeeded'));

    await expect(gateway().cancelPaymentIntent('pi_2')).resolves.toEqual({ status: 'succeeded' });
  });

  it('when Stripe refuses to cancel an intent that is processing, then the refusal is passed on as an invalid request', async () => {
    answers.set('POST /v1/payment_intents/pi_3/cancel', UNEXPECTED_STATE);
    answers.set('GET /v1/payment_intents/pi_3', intentBody('pi_3', 'processing'));

    await expect(gateway().cancelPaymentIntent('pi_3')).rejects.toMatchObject({
      kind: 'invalid_request',
      code: 'payment_intent_unexpected_state',
    });
  });

  it("when Stripe reports a missing resource, then it is an invalid request with Stripe's message", async () => {
    answers.set(
      'POST /v1/payment_intents/pi_4',
      stripeError(400, {
        type: 'invalid_request_error',
        code: 'resource_missing',
        param: 'payment_method',
        message: "No such PaymentMethod: 'pm_nope'",
      }),
    );

    const confirming = gateway().confirmPaymentIntent('pi_4', 'pm_nope');

    await expect(confirming).rejects.toEqual(
      new GatewayError('invalid_request', "No such PaymentMethod: 'pm_nope'", 'resource_missing'),
    );
    expect(logged).toEqual(['warn Stripe refused the request']);
  });

  it('when an idempotency key is reused with other parameters, then it is an invalid request coded idempotency_error', async () => {
    answers.set(
      'POST /v1/payment_intents',
      stripeError(400, {
        type: 'idempotency_error',
        message: 'Keys for idempotent requests can only be used with the same parameters they were first used with.',
      }),
    );

    const creating = gateway().createPaymentIntent({
      amountMinor: 100,
      currency: 'USD',
      metadata: {},
      idempotencyKey: 'reused',
    });

    await expect(creating).rejects.toMatchObject({ kind: 'invalid_request', code: 'idempotency_error' });
  });

  it.each([
    ['a server error', stripeError(500, { type: 'api_error', message: 'Something went wrong on our end.' })],
    [
      'rate limiting',
      stripeError(429, { type: 'invalid_request_error', code: 'rate_limit', message: 'Too many requests' }),
    ],
    [
      'a revoked key',
      stripeError(401, { type: 'invalid_request_error', message: 'Invalid API Key provided: sk_test_****' }),
    ],
    [
      'a restricted key without permission',
      stripeError(403, {
        type: 'invalid_request_error',
        message: 'The provided key does not have the required permissions',
      }),
    ],
    ['a proxy error page', { status: 502, text: '<html>Bad gateway</html>' }],
  ])('when Stripe answers with %s, then the gateway says unavailable and logs the cause', async (_case, answer) => {
    answers.set('POST /v1/payment_intents', answer);

    const creating = gateway().createPaymentIntent({
      amountMinor: 100,
      currency: 'USD',
      metadata: {},
      idempotencyKey: 'k',
    });

    await expect(creating).rejects.toEqual(
      new GatewayError('unavailable', 'The payment provider could not be reached, please try again'),
    );
    expect(logged).toEqual(['error Stripe request failed']);
  });

  it('when Stripe answers with a status this code does not know, then it is unavailable rather than guessed', async () => {
    answers.set('POST /v1/payment_intents', intentBody('pi_5', 'requires_something_new'));

    const creating = gateway().createPaymentIntent({
      amountMinor: 100,
      currency: 'USD',
      metadata: {},
      idempotencyKey: 'k2',
    });

    await expect(creating).rejects.toMatchObject({ kind: 'unavailable' });
  });
});

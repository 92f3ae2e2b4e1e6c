import Stripe from 'stripe';
import { createWebhookVerifier, WebhookSignatureError } from '../../src/payments/webhook';

const SECRET = 'whsec_unit_test_secret';
const verify = createWebhookVerifier(SECRET);

function signedEvent(options: { secret?: string; timestamp?: number } = {}) {
  const payload = JSON.stringify(
    { id: 'evt_unit', object: 'event', type: 'payment_intent.succeeded', data: { object: { id: 'pi_unit' } } },
    null,
    2,
  );
  const header = Stripe.webhooks.generateTestHeaderString({
    payload,
    secret: options.secret ?? SECRET,
    timestamp: options.timestamp,
  });
  return { rawBody: Buffer.from(payload), header };
}

function verificationError(rawBody: Buffer, header: string | undefined): unknown {
  try {
    verify(rawBody, header);
  } catch (error) {
    return error;
  }
  throw new Error('expected the signature to be refused');
}

describe('webhook signature verification', () => {
  it('when the body is signed now with our secret, then the event is returned', () => {
    // Arrange
    const { rawBody, header } = signedEvent();

    // Act
    const event = verify(rawBody, header);

    // Assert
    expect(event).toMatchObject({
      id: 'evt_unit',
      type: 'payment_intent.succeeded',
      data: { object: { id: 'pi_unit' } },
    });
  });

  it('when the signature was made 4 minutes ago, then it is still accepted', () => {
    const { rawBody, header } = signedEvent({ timestamp: Math.floor(Date.now() / 1000) - 240 });

    expect(verify(rawBody, header).id).toBe('evt_unit');
  });

  it.each([
    ['missing', () => ({ rawBody: signedEvent().rawBody, header: undefined }), /Missing Stripe-Signature header/],
    ['empty', () => ({ rawBody: signedEvent().rawBody, header: '' }), /Missing Stripe-Signature header/],
    [
      'malformed',
      () => ({ rawBody: signedEvent().rawBody, header: 'not-a-signature' }),
      /Unable to extract timestamp and signatures/,
    ],
    [
      'without a v1 signature',
      () => ({ rawBody: signedEvent().rawBody, header: `t=${Math.floor(Date.now() / 1000)},v0=abc` }),
      /expected scheme/,
    ],
    [
      'made with another secret',
      () => signedEvent({ secret: 'whsec_someone_else' }),
      /No signatures found matching the expected signature for payload\.$/,
    ],
    [
      'made for another body',
      () => {
        const { rawBody, header } = signedEvent();
        return { rawBody: Buffer.from(rawBody.toString().replace('pi_unit', 'pi_other')), header };
      },
      /No signatures found matching/,
    ],
    [
      'made 10 minutes ago',
      () => signedEvent({ timestamp: Math.floor(Date.now() / 1000) - 600 }),
      /Timestamp outside the tolerance zone/,
    ],
  ])('when the signature is %s, then a WebhookSignatureError is thrown', (_case, build, message) => {
    // Arrange
    const { rawBody, header } = build();

    // Act
    const error = verificationError(rawBody, header);

    // Assert
    expect(error).toBeInstanceOf(WebhookSignatureError);
    expect((error as Error).message).toMatch(message);
  });

  it('when the body was re-serialised after signing, then it is refused (the raw bytes are signed)', () => {
    const { rawBody, header } = signedEvent();
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(rawBody.toString())));

    expect(verificationError(reserialised, header)).toBeInstanceOf(WebhookSignatureError);
  });

  it.each([
    ['not JSON', 'not json', /not JSON/],
    ['JSON but not an event', '[1, 2, 3]', /not a Stripe event/],
    ['JSON null', 'null', /not a Stripe event/],
  ])('when a correctly signed body is %s, then it is refused', (_case, payload, message) => {
    const header = Stripe.webhooks.generateTestHeaderString({ payload, secret: SECRET });

    const error = verificationError(Buffer.from(payload), header);

    expect(error).toBeInstanceOf(WebhookSignatureError);
    expect((error as Error).message).toMatch(message);
  });

  it('when no secret is configured, then no verifier can be made', () => {
    expect(() => createWebhookVerifier('')).toThrow(/secret is required/);
  });
});

import Stripe from 'stripe';

/**
 * A webhook delivery to refuse (a 400): the Stripe-Signature header is missing, malformed, made with another
 * secret or too old, or the signed body is not a Stripe event.
 */
export class WebhookSignatureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookSignatureError';
  }
}

/** Takes the request body exactly as received (express.raw): re-serialised JSON never verifies. */
export type WebhookVerifier = (rawBody: Buffer, signatureHeader: string | undefined) => Stripe.Event;

/**
 * Verifies events as Stripe signs them (HMAC-SHA256 of "<t>.<body>", the header's t within 300 s of now),
 * for Stripe, localstripe and the simulated gateway alike.
 */
export function createWebhookVerifier(secret: string): WebhookVerifier {
  if (!secret) throw new Error('A webhook signing secret is required');
  return (rawBody, signatureHeader) => {
    if (!signatureHeader) throw new WebhookSignatureError('Missing Stripe-Signature header');
    const event = constructEvent(rawBody, signatureHeader, secret);
    if (typeof event?.id !== 'string' || typeof event.type !== 'string') {
      throw new WebhookSignatureError('Webhook payload is not a Stripe event');
    }
    return event;
  };
}

function constructEvent(rawBody: Buffer, signatureHeader: string, secret: string): Stripe.Event | undefined {
  try {
    return Stripe.webhooks.constructEvent(rawBody, signatureHeader, secret, Stripe.webhooks.DEFAULT_TOLERANCE);
  } catch (error) {
    if (error instanceof Stripe.errors.StripeSignatureVerificationError) {
      // Stripe's text goes on with integration advice; its first sentence is the reason.
      throw new WebhookSignatureError(error.message.split(/(?<=\.)\s/)[0] ?? error.message);
    }
    // The signature matched, so the body is ours or Stripe's, yet it is not JSON: nothing to act on.
    throw new WebhookSignatureError('Webhook payload is not JSON');
  }
}

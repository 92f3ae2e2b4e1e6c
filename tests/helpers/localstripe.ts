import { randomUUID } from 'node:crypto';
import { DEAD_WEBHOOK_URL, localstripeUrl, startWebhookReceiver, type WebhookReceiver } from './stripe-services';

/**
 * What the browser's Stripe.js does against localstripe, done from a test: the stand-in's confirmCardSetup and
 * confirmCardPayment make these same requests (localstripe-v3.js), authenticated with a publishable key.
 */
export const LOCALSTRIPE_PUBLISHABLE_KEY = 'pk_test_localstripe';

async function post(path: string, body: unknown) {
  const response = await fetch(`${localstripeUrl()}${path}`, { method: 'POST', body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json().catch(() => ({}))) as Record<string, unknown> };
}

/**
 * confirmCardSetup(clientSecret, { payment_method: { card } }) with a card number (4242424242424242, a 3-D Secure
 * card ...). A 3-D Secure card asks for authentication at setup too: the stand-in's modal, answered "Complete
 * authentication", confirms the SetupIntent again.
 */
export async function confirmCardSetup(clientSecret: string, number: string) {
  const setupIntentId = /^(seti_\w+)_secret_/.exec(clientSecret)?.[1];
  const path = `/v1/setup_intents/${setupIntentId}/confirm`;
  const first = await post(path, {
    key: LOCALSTRIPE_PUBLISHABLE_KEY,
    use_stripe_sdk: true,
    client_secret: clientSecret,
    payment_method_data: { type: 'card', card: { number, exp_month: '12', exp_year: '2034', cvc: '123' } },
  });
  if (first.body.status !== 'requires_action') return first;
  return post(path, { key: LOCALSTRIPE_PUBLISHABLE_KEY, use_stripe_sdk: true, client_secret: clientSecret });
}

/** The answer to confirmCardPayment's 3-D Secure modal: "Complete authentication" (true) or "Fail authentication". */
export async function answerChallenge(clientSecret: string, success: boolean) {
  const intentId = /^(pi_\w+)_secret_/.exec(clientSecret)?.[1];
  return post(`/v1/payment_intents/${intentId}/_authenticate?success=${success}`, {
    key: LOCALSTRIPE_PUBLISHABLE_KEY,
    client_secret: clientSecret,
  });
}

/**
 * Points localstripe's webhook `id` at `url`, signed with `secret`. localstripe posts every event to every webhook it
 * knows and cannot forget one, so the returned function points it at a closed port when done.
 */
export async function registerLocalstripeWebhook(
  id: string,
  url: string,
  secret: string,
): Promise<() => Promise<void>> {
  const register = async (target: string) => {
    const response = await fetch(`${localstripeUrl()}/_config/webhooks/${id}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ url: target, secret }),
    });
    if (response.status !== 200) throw new Error(`localstripe refused the webhook registration: ${response.status}`);
  };
  await register(url);
  return async () => register(DEAD_WEBHOOK_URL);
}

/**
 * A webhook receiver in this process that localstripe posts every event to, signed with `secret`, for the tests of the
 * describe block (or file) it is called in: registered under an id starting with `name` before them, retired after.
 */
export function useLocalstripeWebhookReceiver(name: string): { secret: string; readonly receiver: WebhookReceiver } {
  const secret = `whsec_localstripe${randomUUID().replaceAll('-', '')}`;
  let receiver: WebhookReceiver | undefined;
  let retire: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    retire = await registerLocalstripeWebhook(`${name}-${randomUUID()}`, receiver.url, secret);
  });
  afterAll(async () => {
    await retire?.();
    await receiver?.close();
  });
  return {
    secret,
    get receiver() {
      if (!receiver) throw new Error('useLocalstripeWebhookReceiver: used before its beforeAll ran');
      return receiver;
    },
  };
}

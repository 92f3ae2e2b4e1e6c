import Stripe from 'stripe';
import { HANDLED_EVENT_TYPES } from '../../src/payments/stripe.events';
import { STRIPE_API_VERSION, sdkApiVersion } from '../../src/payments/stripe.api-version';
import { spawnTsScript } from '../helpers/spawn-server';
import { startRecordingProxy, stripeMockUrl, type RecordedExchange, type TestServer } from '../helpers/stripe-services';

/**
 * `npm run stripe:webhook -- <url>` as a real process against stripe-mock, which checks every parameter it is
 * sent against Stripe's spec for our API version (the event types among them). stripe-mock keeps no state and
 * its list answers one fixed endpoint, so a proxy makes that answer hold what each case needs (and adds the
 * signing secret Stripe returns on creation, which stripe-mock's fixture lacks).
 */
const URL_UNDER_TEST = 'https://shop.example.com/api/orders/webhook';
const SECRET = 'whsec_created_by_stripe_0123456789';
const events = [...HANDLED_EVENT_TYPES].sort();

type ListShape = (fixture: Record<string, unknown>) => Array<Record<string, unknown>>;

async function proxyWith(list: ListShape) {
  return startRecordingProxy(stripeMockUrl(), ({ method, path }, answer) => {
    const body = JSON.parse(answer.toString()) as Record<string, unknown>;
    if (method === 'GET' && path.startsWith('/v1/webhook_endpoints')) {
      const [fixture] = body.data as Array<Record<string, unknown>>;
      return Buffer.from(JSON.stringify({ ...body, data: list(fixture!) }));
    }
    if (method === 'POST' && path === '/v1/webhook_endpoints')
      return Buffer.from(JSON.stringify({ ...body, secret: SECRET }));
    return answer;
  });
}

async function run(proxy: TestServer | null, args: string[], env: Record<string, string> = {}) {
  const api = proxy ? new URL(proxy.url) : null;
  const spawned = spawnTsScript('src/cli/stripe-webhook.ts', args, {
    ...(api && {
      STRIPE_SECRET_KEY: 'sk_test_WebhookCli123',
      STRIPE_API_HOST: api.hostname,
      STRIPE_API_PORT: api.port,
      STRIPE_API_PROTOCOL: 'http',
      STRIPE_MAX_NETWORK_RETRIES: '0',
    }),
    ...env,
  });
  const code = await spawned.exited;
  return { code, output: spawned.output() };
}

const form = (exchange: RecordedExchange) => new URLSearchParams(exchange.body);
const calls = (exchanges: RecordedExchange[]) =>
  exchanges.map(({ method, path, status }) => `${method} ${path.split('?')[0]} ${status}`);

describe('npm run stripe:webhook', () => {
  it('when no endpoint has the URL, then one is created for exactly the handled event types, pinned to our API version, and its secret printed once', async () => {
    const proxy = await proxyWith((fixture) => [fixture]);
    try {
      const { code, output } = await run(proxy, [URL_UNDER_TEST]);

      expect(code).toBe(0);
      expect(calls(proxy.exchanges)).toEqual(['GET /v1/webhook_endpoints 200', 'POST /v1/webhook_endpoints 200']);
      const sent = form(proxy.exchanges[1]!);
      expect(sent.get('url')).toBe(URL_UNDER_TEST);
      expect([...sent.entries()].filter(([k]) => k.startsWith('enabled_events')).map(([, v]) => v)).toEqual(events);
      expect(sent.get('api_version')).toBe(STRIPE_API_VERSION);
      expect(proxy.exchanges[1]!.headers['stripe-version']).toBe(STRIPE_API_VERSION);
      expect(output.split(SECRET)).toHaveLength(2);
      expect(output).toContain(`STRIPE_WEBHOOK_SECRET=${SECRET}`);
      expect(output).toMatch(/^Created webhook endpoint we_\w+ for https:\/\/shop\.example\.com\/api\/orders\/webhook/);
    } finally {
      await proxy.close();
    }
  });

  it('when an endpoint has the URL, then it is updated to exactly the handled event types, never duplicated, and the secret is not shown', async () => {
    const proxy = await proxyWith((fixture) => [{ ...fixture, url: URL_UNDER_TEST, status: 'disabled' }]);
    try {
      const { code, output } = await run(proxy, [URL_UNDER_TEST]);

      expect(code).toBe(0);
      expect(calls(proxy.exchanges)).toEqual([
        'GET /v1/webhook_endpoints 200',
        'POST /v1/webhook_endpoints/we_1Pgc6yB7WZ01zgkWzAudq4eU 200',
      ]);
      const sent = form(proxy.exchanges[1]!);
      expect([...sent.entries()].filter(([k]) => k.startsWith('enabled_events')).map(([, v]) => v)).toEqual(events);
      expect(sent.get('disabled')).toBe('false');
      expect(sent.get('url')).toBeNull();
      expect(output).toMatch(/^Updated webhook endpoint we_1Pgc6yB7WZ01zgkWzAudq4eU/);
      expect(output).toContain('Roll secret');
      expect(output).not.toContain('whsec_');
      // stripe-mock's fixture has no API version: said, with how to pin one.
      expect(output).toContain(`not ${STRIPE_API_VERSION}`);
    } finally {
      await proxy.close();
    }
  });

  it('when the endpoint already has exactly these event types, then nothing is changed; other endpoints on the URL are named', async () => {
    const proxy = await proxyWith((fixture) => [
      { ...fixture, url: URL_UNDER_TEST, enabled_events: [...events].reverse(), api_version: STRIPE_API_VERSION },
      { ...fixture, id: 'we_duplicate', url: URL_UNDER_TEST },
      fixture,
    ]);
    try {
      const { code, output } = await run(proxy, [URL_UNDER_TEST]);

      expect(code).toBe(0);
      expect(calls(proxy.exchanges)).toEqual(['GET /v1/webhook_endpoints 200']);
      expect(output).toContain('nothing changed');
      expect(output).toContain('we_duplicate');
    } finally {
      await proxy.close();
    }
  });

  it('when an event type Stripe does not have is sent, then stripe-mock refuses it: the check on our list is real', async () => {
    const { hostname, port } = new URL(stripeMockUrl());
    const stripe = new Stripe('sk_test_WebhookCli123', {
      host: hostname,
      port: Number(port),
      protocol: 'http',
      apiVersion: sdkApiVersion,
      maxNetworkRetries: 0,
    });

    const creating = stripe.webhookEndpoints.create({
      url: URL_UNDER_TEST,
      enabled_events: ['payment_intent.teleported' as Stripe.WebhookEndpointCreateParams.EnabledEvent],
    });

    await expect(creating).rejects.toMatchObject({ statusCode: 400 });
  });

  it.each([
    ['no URL', []],
    ['an http URL', ['http://shop.example.com/api/orders/webhook']],
    ['another path', ['https://shop.example.com/webhook']],
    ['two URLs', [URL_UNDER_TEST, URL_UNDER_TEST]],
  ])('when given %s, then it stops with its usage (exit 2) and asks Stripe nothing', async (_label, args) => {
    const proxy = await proxyWith((fixture) => [fixture]);
    try {
      const { code, output } = await run(proxy, args);

      expect(code).toBe(2);
      expect(output).toContain('usage: npm run stripe:webhook');
      expect(proxy.exchanges).toEqual([]);
    } finally {
      await proxy.close();
    }
  });

  it('when STRIPE_SECRET_KEY is not set, then it says so (exit 2)', async () => {
    const { code, output } = await run(null, [URL_UNDER_TEST]);

    expect(code).toBe(2);
    expect(output).toContain('STRIPE_SECRET_KEY is not set');
  });
});

import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import request from 'supertest';
import { buildServices } from '../../src/compose';
import { silentLogger } from '../../src/lib/logger';
import type { PaymentGateway } from '../../src/payments/gateway';
import { createSimulatedGateway, type SimulatedGateway } from '../../src/payments/simulated.gateway';
import { createStripeGateway } from '../../src/payments/stripe.gateway';
import { buildTestApp, testConfig } from './app';
import { LOCALSTRIPE_PUBLISHABLE_KEY, registerLocalstripeWebhook } from './localstripe';
import { startSmtpServer, type TestSmtpServer } from './smtp';
import { localstripeUrl } from './stripe-services';

export interface LiveShop<G extends PaymentGateway = PaymentGateway> {
  app: Express;
  /** The shop's origin, e.g. http://127.0.0.1:41234 */
  url: string;
  gateway: G;
  /** With `mail`: the SMTP server the shop's running mail worker sends to (its links point at `url`). */
  smtp?: TestSmtpServer;
  close(): Promise<void>;
}

async function listen(app: http.RequestListener) {
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  return { url, close };
}

/**
 * The shop on a loopback port, as `npm start` runs it in development: the simulated gateway posts its signed
 * events to the shop's own webhook a moment after each payment change, so orders move as they do for real.
 * With `mail`, the shop's mail worker runs and sends over SMTP to a server in this process, with links to this origin.
 */
export async function startSimulatedShop(
  env: Record<string, string> = {},
  deliveryDelayMs = 250,
  options: { mail?: boolean } = {},
): Promise<LiveShop<SimulatedGateway>> {
  // Listening first: the shop's address is its webhook's and the mails' link base.
  let app: Express | undefined;
  const server = await listen((req, res) => app!(req, res));
  const smtp = options.mail ? await startSmtpServer() : undefined;
  const shopEnv = smtp
    ? { SMTP_URL: smtp.url, SHOP_URL: `${server.url}/`, MAIL_POLL_INTERVAL_SECONDS: '1', ...env }
    : env;
  const config = testConfig(shopEnv);
  const gateway = createSimulatedGateway({
    webhookSecret: config.stripe.webhookSecret,
    webhookUrl: () => `${server.url}/api/orders/webhook`,
    deliveryDelayMs,
    logger: silentLogger,
    retryDelaysMs: [50, 100, 200],
  });
  const services = smtp ? buildServices(config, { logger: silentLogger, payments: gateway }) : undefined;
  services?.mail.worker.start();
  app = buildTestApp({ env: shopEnv, deps: { payments: gateway, ...(services && { services }) } });
  return {
    app,
    url: server.url,
    gateway,
    smtp,
    close: async () => {
      await services?.mail.worker.stop();
      await smtp?.close();
      await gateway.settle();
      await server.close();
    },
  };
}

/**
 * The shop in Stripe test mode against localstripe: the Stripe adapter talks to it, the pages load its stand-in
 * Stripe.js (STRIPE_JS_URL) with a publishable key, and its signed events reach the shop's webhook, registered
 * with localstripe under an id of this shop's own (`POST /_config/webhooks/<id>`) and a secret of its own.
 */
export async function startLocalstripeShop(env: Record<string, string> = {}): Promise<LiveShop> {
  const { hostname, port, protocol } = new URL(localstripeUrl());
  const secret = `whsec_shop${randomUUID().replaceAll('-', '')}`;
  const stripeEnv = {
    STRIPE_SECRET_KEY: 'sk_test_localstripeShop',
    STRIPE_PUBLISHABLE_KEY: LOCALSTRIPE_PUBLISHABLE_KEY,
    STRIPE_WEBHOOK_SECRET: secret,
    STRIPE_API_HOST: hostname,
    STRIPE_API_PORT: port,
    STRIPE_API_PROTOCOL: protocol.replace(':', ''),
    STRIPE_MAX_NETWORK_RETRIES: '0',
    STRIPE_JS_URL: `${localstripeUrl()}/js.stripe.com/v3/`,
    ...env,
  };
  const config = testConfig(stripeEnv);
  const gateway = createStripeGateway(config.stripe, silentLogger);
  const app = buildTestApp({ env: stripeEnv, deps: { payments: gateway } });
  const server = await listen(app);
  const unregister = await registerLocalstripeWebhook(
    `shop-${randomUUID()}`,
    `${server.url}/api/orders/webhook`,
    secret,
  );
  return {
    app,
    url: server.url,
    gateway,
    close: async () => {
      await unregister();
      await server.close();
    },
  };
}

/** Reads the order through the API until `done` says so (the webhook is on its way); fails after `timeoutMs`. */
export async function waitForOrder<T extends { status: string; history: unknown[] }>(
  app: Express,
  token: string,
  orderId: string,
  done: (order: T) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  const started = Date.now();
  for (;;) {
    const order = (await request(app).get(`/api/orders/${orderId}`).set('Authorization', token).expect(200)).body
      .data as T;
    if (done(order)) return order;
    if (Date.now() - started > timeoutMs)
      throw new Error(`Order ${orderId} still ${order.status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

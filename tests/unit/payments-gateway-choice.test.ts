import { parseConfig } from '../../src/config/env';
import type { Logger } from '../../src/lib/logger';
import { createPaymentGateway } from '../../src/payments';

const configWith = (variables: Record<string, string> = {}) =>
  parseConfig({ NODE_ENV: 'test', JWT_SECRET: 'x'.repeat(40), STRIPE_WEBHOOK_SECRET: 'whsec_choice', ...variables })
    .config;

function capturingLogger() {
  const lines: string[] = [];
  const logger: Logger = {
    debug: () => undefined,
    info: (m) => lines.push(m),
    warn: (m) => lines.push(m),
    error: (m) => lines.push(m),
  };
  return { logger, lines };
}

describe('choosing the payment gateway', () => {
  it('when STRIPE_SECRET_KEY is set, then the Stripe gateway is used and announced', () => {
    // Arrange
    const { logger, lines } = capturingLogger();
    const config = configWith({ STRIPE_SECRET_KEY: 'sk_test_abc123' });

    // Act
    const gateway = createPaymentGateway(config, { logger, webhookUrl: () => undefined });

    // Assert
    expect(gateway).toMatchObject({ kind: 'stripe', liveMode: false });
    expect(lines).toEqual(['Payments: Stripe (test mode) at https://api.stripe.com']);
  });

  it('when the API host is overridden, then the log names it', () => {
    const { logger, lines } = capturingLogger();
    const config = configWith({
      STRIPE_SECRET_KEY: 'sk_test_abc123',
      STRIPE_API_HOST: '127.0.0.1',
      STRIPE_API_PORT: '8420',
      STRIPE_API_PROTOCOL: 'http',
    });

    createPaymentGateway(config, { logger, webhookUrl: () => undefined });

    expect(lines).toEqual(['Payments: Stripe (test mode) at http://127.0.0.1:8420 (STRIPE_API_* override)']);
  });

  it.each([
    ['sk_live_abc123', true],
    ['rk_live_abc123', true],
    ['sk_test_abc123', false],
    ['rk_test_abc123', false],
  ])('when the key is %s, then liveMode is %s', (key, live) => {
    const gateway = createPaymentGateway(configWith({ STRIPE_SECRET_KEY: key }), {
      logger: capturingLogger().logger,
      webhookUrl: () => undefined,
    });

    expect(gateway.liveMode).toBe(live);
  });

  it('when no key is set, then the simulated gateway is used and announced', () => {
    const { logger, lines } = capturingLogger();

    const gateway = createPaymentGateway(configWith(), {
      logger,
      webhookUrl: () => 'http://127.0.0.1:3000/api/webhooks/stripe',
    });

    expect(gateway).toMatchObject({ kind: 'simulated', liveMode: false });
    expect(lines).toEqual([expect.stringMatching(/^Payments: simulated gateway \(no STRIPE_SECRET_KEY\)/)]);
  });

  it('when no key is set in production, then no gateway is made', () => {
    const config = { ...configWith(), env: 'production' as const };

    expect(() =>
      createPaymentGateway(config, { logger: capturingLogger().logger, webhookUrl: () => undefined }),
    ).toThrow(/STRIPE_SECRET_KEY is required in production/);
  });

  it('when both gateways are settled, then neither has work left', async () => {
    const stripe = createPaymentGateway(configWith({ STRIPE_SECRET_KEY: 'sk_test_abc123' }), {
      logger: capturingLogger().logger,
      webhookUrl: () => undefined,
    });
    const simulated = createPaymentGateway(configWith(), {
      logger: capturingLogger().logger,
      webhookUrl: () => undefined,
    });

    await expect(Promise.all([stripe.settle(), simulated.settle()])).resolves.toEqual([undefined, undefined]);
  });
});

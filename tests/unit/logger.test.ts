import { runWithRequestId } from '../../src/lib/logger';
import { captureLogs } from '../helpers/logs';

const JWT = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJlLXBhcnQ';

describe('logger', () => {
  it('when a line is logged, then it is one JSON object with level name, ISO time, message and fields', () => {
    const logs = captureLogs('info');

    logs.logger.info('order placed', { orderId: 'o1', amountMinor: 1299, paid: false });

    expect(logs.entries()).toEqual([
      expect.objectContaining({
        level: 'info',
        time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        message: 'order placed',
        orderId: 'o1',
        amountMinor: 1299,
        paid: false,
      }),
    ]);
  });

  it('when lines are below LOG_LEVEL, then they are not written; silent writes nothing', () => {
    const warn = captureLogs('warn');
    const silent = captureLogs('silent');

    for (const { logger } of [warn, silent]) {
      logger.debug('d');
      logger.info('i');
      logger.warn('w');
      logger.error('e');
    }

    expect(warn.entries().map((e) => [e.level, e.message])).toEqual([
      ['warn', 'w'],
      ['error', 'e'],
    ]);
    expect(silent.entries()).toEqual([]);
  });

  it('when code logs inside a request context, then the line carries the request id; outside it, none', async () => {
    const logs = captureLogs('info');

    await runWithRequestId('req-1', async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      logs.logger.info('inside');
    });
    logs.logger.info('outside');

    expect(logs.entries().map((e) => [e.message, e.requestId])).toEqual([
      ['inside', 'req-1'],
      ['outside', undefined],
    ]);
  });

  it('when fields are named like secrets, at any depth and in any case, then their values are redacted', () => {
    const logs = captureLogs('debug');

    logs.logger.info('request', {
      password: 'p1',
      user: { email: 'a@example.com', passwordHash: '$2b$10$hash', newPassword: 'p2' },
      headers: {
        Authorization: 'Basic dXNlcjpwYXNz',
        'Stripe-Signature': 't=1,v1=abc',
        cookie: 'sid=1',
        'x-api-key': 'k1',
      },
      payment: { clientSecret: 'cs', client_secret: 'cs2', webhookSecret: 'ws' },
      sessions: [{ token: 't1' }, { accessToken: 't2', jwt: 't3' }],
      credentials: { user: 'u' },
    });

    expect(logs.entries()[0]).toEqual(
      expect.objectContaining({
        password: '[redacted]',
        user: { email: 'a@example.com', passwordHash: '[redacted]', newPassword: '[redacted]' },
        headers: {
          Authorization: '[redacted]',
          'Stripe-Signature': '[redacted]',
          cookie: '[redacted]',
          'x-api-key': '[redacted]',
        },
        payment: { clientSecret: '[redacted]', client_secret: '[redacted]', webhookSecret: '[redacted]' },
        sessions: [{ token: '[redacted]' }, { accessToken: '[redacted]', jwt: '[redacted]' }],
        credentials: '[redacted]',
      }),
    );
  });

  it('when text looks like a credential, then it is masked in messages, fields and errors', () => {
    const logs = captureLogs('debug');
    const error = new Error(`Stripe said no for pi_3AbC_secret_XyZ123 with sk_test_51Abc and whsec_abc123`);

    logs.logger.warn(`token was Bearer ${JWT}`, {
      detail: `header t=1700000000,v1=${'a'.repeat(64)},v0=${'b'.repeat(64)}`,
      uri: 'mongodb+srv://shop:pa55w0rd@cluster0.example.net/shop?retryWrites=true',
      raw: JWT,
      url: '/api/products?q=mouse&access_token=abc123&limit=5',
      error,
    });

    const [entry] = logs.entries();
    expect(entry).toEqual(
      expect.objectContaining({
        message: 'token was [redacted]',
        detail: 'header [redacted]',
        uri: 'mongodb+srv://shop:[redacted]@cluster0.example.net/shop?retryWrites=true',
        raw: '[redacted]',
        url: '/api/products?q=mouse&access_token=[redacted]&limit=5',
        error: expect.objectContaining({
          type: 'Error',
          message: 'Stripe said no for [redacted] with [redacted] and [redacted]',
          stack: expect.stringContaining('Stripe said no for [redacted]'),
        }),
      }),
    );
    expect(logs.text()).not.toMatch(/pa55w0rd|_secret_|sk_test_|whsec_|eyJ|v1=a/);
  });

  it.each([
    ['a query parameter named like a key', '/x?apikey=abc123', '/x?apikey=[redacted]'],
    ['a query parameter named like a password', '/x?Passwd=abc123&limit=5', '/x?Passwd=[redacted]&limit=5'],
    ['a query parameter named like a signature', '/x?signature=abc123', '/x?signature=[redacted]'],
    ['a query parameter named like a JWT', '/x?jwt=abc123', '/x?jwt=[redacted]'],
    ['a query parameter named like auth', '/x?AUTH=abc123', '/x?AUTH=[redacted]'],
    ['a Stripe-Signature value', 't=1700000000,v1=abcdef', '[redacted]'],
    ['a bearer header value', 'bearer abc.def', '[redacted]'],
    ['a JWT', JWT, '[redacted]'],
    [
      'a connection string password',
      'mongodb://shop:pa55w0rd@db.example.net',
      'mongodb://shop:[redacted]@db.example.net',
    ],
  ])(
    'when %s stands alone in a text, then it is masked (the quick pre-check lets it through)',
    (_name, text, masked) => {
      const logs = captureLogs('debug');
      logs.logger.info('line', { text });
      expect(logs.entries()[0]).toEqual(expect.objectContaining({ text: masked }));
    },
  );

  it('when a text has none of what a credential needs, then it is written as it is', () => {
    const logs = captureLogs('debug');
    logs.logger.info('line', { url: '/api/products?limit=20&sort=newest&currency=USD', note: 'Total = 25.99 USD' });
    expect(logs.entries()[0]).toEqual(
      expect.objectContaining({ url: '/api/products?limit=20&sort=newest&currency=USD', note: 'Total = 25.99 USD' }),
    );
  });

  it('when fields hold ordinary values, dates, ids, buffers or a cycle, then they are written as JSON would show them, safely', () => {
    const logs = captureLogs('debug');
    const cycle: Record<string, unknown> = { name: 'loop' };
    cycle.self = cycle;

    logs.logger.info('values', {
      at: new Date('2030-01-02T03:04:05.000Z'),
      ids: ['pi_123', 'evt_456'],
      body: Buffer.from('{"password":"x"}'),
      cycle,
      none: null,
    });

    const [entry] = logs.entries();
    expect(entry).toEqual(
      expect.objectContaining({
        at: '2030-01-02T03:04:05.000Z',
        ids: ['pi_123', 'evt_456'],
        body: '[16 bytes]',
        none: null,
      }),
    );
    expect(JSON.stringify(entry!.cycle)).toContain('[nested too deep]');
  });
});

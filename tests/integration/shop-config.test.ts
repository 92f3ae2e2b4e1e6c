import request from 'supertest';
import { buildTestApp } from '../helpers/app';

describe('GET /api/config', () => {
  it('when payments are simulated, then it says so, with nothing of Stripe, and may be cached only if revalidated', async () => {
    const res = await request(buildTestApp()).get('/api/config').expect(200);

    expect(res.body).toEqual({
      message: 'Shop config',
      data: {
        payments: {
          mode: 'simulated',
          livemode: false,
          testPaymentMethods: true,
          publishableKey: null,
          stripeJsUrl: null,
        },
      },
    });
    expect(res.headers['cache-control']).toBe('no-cache');
  });

  it('when Stripe test keys are set, then it gives the publishable key and where Stripe.js comes from', async () => {
    const app = buildTestApp({
      env: {
        STRIPE_SECRET_KEY: 'sk_test_abc',
        STRIPE_PUBLISHABLE_KEY: 'pk_test_abc',
        STRIPE_JS_URL: 'http://127.0.0.1:8420/js.stripe.com/v3/',
      },
    });

    const res = await request(app).get('/api/config').expect(200);

    expect(res.body.data).toEqual({
      payments: {
        mode: 'stripe',
        livemode: false,
        testPaymentMethods: true,
        publishableKey: 'pk_test_abc',
        stripeJsUrl: 'http://127.0.0.1:8420/js.stripe.com/v3/',
      },
    });
    expect(JSON.stringify(res.body)).not.toContain('sk_test_abc');
  });

  it('when a live key has no publishable key (development), then test payment methods are off and Stripe.js has nothing to start with', async () => {
    const res = await request(buildTestApp({ env: { STRIPE_SECRET_KEY: 'sk_live_abc' } }))
      .get('/api/config')
      .expect(200);

    expect(res.body.data.payments).toEqual({
      mode: 'stripe',
      livemode: true,
      testPaymentMethods: false,
      publishableKey: null,
      stripeJsUrl: null,
    });
  });

  it('when the database is down, then it still answers (settings only)', async () => {
    await request(buildTestApp({ deps: { isDatabaseAvailable: () => false } }))
      .get('/api/config')
      .expect(200);
  });

  it('when it is called with another method, then 405 with Allow', async () => {
    const post = await request(buildTestApp()).post('/api/config').send({}).expect(405);

    expect([post.body.code, post.headers.allow]).toEqual(['METHOD_NOT_ALLOWED', 'GET, HEAD']);
  });
});

import request from 'supertest';
import { OrderModel } from '../../src/models/order.model';
import { GatewayError } from '../../src/payments/gateway';
import { testConfig } from '../helpers/app';
import { sweeperFor } from '../helpers/sweeper';
import { useTestDatabase } from '../helpers/db';
import { paidOrder, shopPeople, startRefundShop, type RefundShop } from '../helpers/refund-shop';

/**
 * The composition root (src/compose.ts) builds one refund service for the app and the expiry job: a request
 * the job sends again holds the same attempt lease as one an admin sends, from the same setting.
 */
useTestDatabase();

let shop: RefundShop;
let releaseResend: (() => void) | undefined;

beforeAll(async () => {
  shop = await startRefundShop({
    deliverEvents: true,
    // The admin's attempt finds the gateway down; the job's resend is held until the test has looked at it.
    around: async (_input, call, attempt) => {
      if (attempt === 1) throw new GatewayError('unavailable', 'connection reset');
      if (attempt === 2) await new Promise<void>((resolve) => (releaseResend = resolve));
      return call();
    },
  });
});
afterAll(async () => {
  releaseResend?.();
  await shop.close();
});

it("when the expiry job sends an interrupted refund again, then it holds it for the app's own attempt lease", async () => {
  const people = await shopPeople(shop.app);
  const order = await paidOrder(shop, people);
  await request(shop.app)
    .post(`/api/orders/${order.orderId}/refund`)
    .set('Authorization', people.admin)
    .send({ amount: 10 })
    .expect(502);
  const at = new Date(Date.now() + 1000);
  const config = testConfig();

  const sweep = sweeperFor({ config, payments: shop.gateway, clock: () => at }).sweepOnce();
  const deadline = Date.now() + 10_000;
  while (!releaseResend && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  const during = (await OrderModel.findById(order.orderId).lean())!.refunds[0]!;
  releaseResend?.();
  const swept = await sweep;

  expect(during).toMatchObject({
    status: 'requested',
    attemptUntil: new Date(at.getTime() + config.refunds.attemptLeaseMs),
  });
  expect(config.refunds.attemptLeaseMs).toBe(config.stripe.timeoutMs * (config.stripe.maxNetworkRetries + 1) + 5_000);
  expect(swept.refundsResumed).toBe(1);
  expect((await OrderModel.findById(order.orderId).lean())!.refunds[0]).toMatchObject({
    status: 'succeeded',
    attemptUntil: null,
  });
});

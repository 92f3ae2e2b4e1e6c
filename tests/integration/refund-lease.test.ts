import request from 'supertest';
import { OrderModel } from '../../src/models/order.model';
import { GatewayError } from '../../src/payments/gateway';
import { testConfig } from '../helpers/app';
import { useTestDatabase } from '../helpers/db';
import {
  deliverPaymentSucceeded,
  paidOrder,
  shopPeople,
  startRefundShop,
  type PaidOrder,
  type RefundShop,
} from '../helpers/refund-shop';
import { sweeperFor } from '../helpers/sweeper';

/**
 * A refund request's gateway call is leased on the order (`refunds.attemptUntil`): the API's own call and the
 * expiry job's resumption take the same lease, REFUND_ATTEMPT_LEASE_MS (derived from the Stripe timeout and
 * retries unless set), so neither can call while the other's call may still be running.
 */
useTestDatabase();

const env = { REFUND_ATTEMPT_LEASE_MS: '40000' };
const config = testConfig(env);
let shop: RefundShop;
let people: Awaited<ReturnType<typeof shopPeople>>;
let mode: 'normal' | 'hold' = 'normal';
let release: (then: 'fail' | 'answer') => void = () => undefined;
let calling: () => void = () => undefined;
/** Resolves once the gateway is being called, and holds that call until release(). */
const nextHeldCall = () => {
  mode = 'hold';
  return new Promise<void>((resolve) => (calling = resolve));
};

beforeAll(async () => {
  shop = await startRefundShop({
    deliverEvents: false,
    env,
    around: async (_input, call) => {
      if (mode === 'hold') {
        const held = new Promise<'fail' | 'answer'>((resolve) => (release = resolve));
        calling();
        if ((await held) === 'fail')
          throw new GatewayError('unavailable', 'The payment provider could not be reached, please try again');
      }
      return call();
    },
  });
});
afterAll(async () => {
  await shop.close();
});

const markPaid = (order: PaidOrder) => deliverPaymentSucceeded(shop, order);
const attemptUntil = async (orderId: string) =>
  (await OrderModel.findById(orderId).lean())!.refunds[0]!.attemptUntil!.getTime();

describe('the refund attempt lease', () => {
  beforeEach(async () => {
    mode = 'normal';
    people = await shopPeople(shop.app);
  });

  it('when defaults apply, then the lease is the Stripe timeout times its tries plus a margin', () => {
    expect(testConfig().refunds.attemptLeaseMs).toBe(10_000 * 2 + 5_000);
    expect(testConfig({ STRIPE_TIMEOUT_MS: '3000', STRIPE_MAX_NETWORK_RETRIES: '2' }).refunds.attemptLeaseMs).toBe(
      3_000 * 3 + 5_000,
    );
    expect(config.refunds.attemptLeaseMs).toBe(40_000);
  });

  it('when the API and then the expiry job call the gateway for one request, then both hold it for the same configured lease', async () => {
    const order = await paidOrder(shop, people, { price: 25, quantity: 2, markPaid });

    const apiCalling = nextHeldCall();
    const asked = request(shop.app)
      .post(`/api/orders/${order.orderId}/refund`)
      .set('Authorization', people.admin)
      .send({ amount: 10 })
      .then();
    await apiCalling;
    const requestedAt = (await OrderModel.findById(order.orderId).lean())!.refunds[0]!.requestedAt.getTime();
    const apiLease = (await attemptUntil(order.orderId)) - requestedAt;
    release('fail');
    expect((await asked).status).toBe(502);

    const jobCalling = nextHeldCall();
    const at = new Date(Date.now() + 1000);
    const sweeping = sweeperFor({ payments: shop.gateway, clock: () => at, config }).sweepOnce();
    await jobCalling;
    const jobLease = (await attemptUntil(order.orderId)) - at.getTime();
    release('answer');
    expect((await sweeping).refundsResumed).toBe(1);

    expect(apiLease).toBe(40_000);
    expect(jobLease).toBe(40_000);
  });
});

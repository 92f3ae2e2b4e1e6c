import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Types } from 'mongoose';
import { ORDER_STATUSES, STOCK_STATES } from '../../src/lib/order-state';
import { stockAction, type RefundRequestStatus, type RefundSettlement } from '../../src/lib/refund-ledger';
import { OrderModel } from '../../src/models/order.model';
import { stockUnsettledFilter } from '../../src/services/order-store';
import { useTestDatabase } from '../helpers/db';

/**
 * The expiry job finds orders whose stock step was interrupted with a MongoDB query; the webhook and the
 * job decide what that step is with stockAction(). Both come from the same tables, and this checks that
 * they agree: every combination of status, stock state and refund requests is stored, and the query must
 * select exactly the orders the rule says still need a step.
 */
useTestDatabase();

const REQUEST_SETS: Array<Array<{ restock: boolean; status: RefundRequestStatus }>> = [
  [],
  [{ restock: true, status: 'succeeded' }],
  [{ restock: true, status: 'refused' }],
  [{ restock: false, status: 'succeeded' }],
  [{ restock: true, status: 'failed' }],
  [{ restock: true, status: 'requested' }],
  [
    { restock: true, status: 'refused' },
    { restock: false, status: 'succeeded' },
  ],
  [
    { restock: false, status: 'refused' },
    { restock: true, status: 'pending' },
  ],
];

const settlementOf = (status: RefundRequestStatus): RefundSettlement =>
  status === 'succeeded' ? 'confirmed' : status === 'refused' || status === 'failed' ? 'released' : 'reserved';

describe('the stock rule and its query', () => {
  it('when orders exist in every state, then the query for unsettled stock selects exactly those stockAction() says need a step', async () => {
    const orders = ORDER_STATUSES.flatMap((status) =>
      STOCK_STATES.flatMap((stock) =>
        REQUEST_SETS.map((requests) => ({
          _id: new Types.ObjectId(),
          userId: new Types.ObjectId(),
          status,
          stock,
          items: [
            { productId: new Types.ObjectId(), name: 'x', unitPriceMinor: 100, quantity: 1, lineTotalMinor: 100 },
          ],
          amountMinor: 100,
          currency: 'USD',
          expiresAt: new Date(),
          refunds: requests.map((request, i) => ({
            requestId: `req_${i}`,
            source: 'admin',
            amountMinor: 100,
            restock: request.restock,
            requestedAt: new Date(),
            status: request.status,
            settlement: settlementOf(request.status),
          })),
        })),
      ),
    );
    await OrderModel.insertMany(orders);

    const selected = await OrderModel.find(stockUnsettledFilter()).select('_id').lean();

    const expected = orders.filter((order) => stockAction(order) !== 'none').map((order) => order._id.toHexString());
    expect(selected.map((order) => order._id.toHexString()).sort()).toEqual(expected.sort());
    // Not a vacuous agreement: both kinds of step are among them, and most orders need none.
    expect(new Set(orders.map((order) => stockAction(order)))).toEqual(
      new Set(['commit', 'release', 'restock', 'none']),
    );
    expect(expected.length).toBeLessThan(orders.length / 2);
  });
});

describe('the provider boundary', () => {
  it('when the services are read, then none of them names a Stripe field: those stay in src/payments', () => {
    const servicesDir = path.resolve(__dirname, '../../src/services');
    const stripeNames =
      /payment_intent|amount_refunded|amount_received|refunds\.data|last_payment_error|decline_code|failure_reason|latest_charge/;
    const hits = readdirSync(servicesDir)
      .filter((file) => file.endsWith('.ts'))
      .flatMap((file) =>
        readFileSync(path.join(servicesDir, file), 'utf8')
          .split('\n')
          .map((line, i) => ({ at: `${file}:${i + 1}`, line }))
          .filter(({ line }) => stripeNames.test(line)),
      );

    expect(hits).toEqual([]);
  });
});

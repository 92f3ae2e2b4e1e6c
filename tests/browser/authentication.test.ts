import { createProduct } from '../helpers/builders';
import {
  accessibilityProblems,
  apiLogin,
  expectNothingWrong,
  goToCheckout,
  ORDER_URL,
  ordersOf,
  signIn,
  useBrowserShop,
} from '../helpers/browser';
import { useTestDatabase } from '../helpers/db';

/**
 * 3-D Secure with simulated payments in a real Chromium: the page plays the bank's challenge in a dialog answered
 * through the simulated gateway, whose signed events reach the app's own webhook. Each scenario ends by reading
 * the order back through the API.
 */
useTestDatabase();
jest.setTimeout(90_000);

const ctx = useBrowserShop();

/** A buyer signed in through the page, with one order placed for `productName`; the order page is open. */
async function orderAsBuyer(productName: string) {
  const buyer = await signIn(ctx);
  await goToCheckout(ctx, productName);
  await ctx.page.getByRole('button', { name: 'Place order' }).click();
  await ctx.page.waitForURL(ORDER_URL);
  return { buyer, orderId: ORDER_URL.exec(ctx.page.url())![1]! };
}

async function payWith(card: RegExp) {
  await ctx.page.getByLabel(card).check();
  await ctx.page.getByRole('button', { name: /^Pay / }).click();
}

const challenge = () => ctx.page.getByRole('dialog', { name: 'Confirm this payment' });
const shownStatus = (status: string) =>
  ctx.page.locator(`#order-status [data-status="${status}"]`).waitFor({ timeout: 20_000 });

describe('3-D Secure with simulated payments', () => {
  it('when the buyer pays with a 3-D Secure card and completes the challenge, then the order is paid', async () => {
    const product = await createProduct(ctx.shop.app, ctx.admin, { stock: 5 });
    const { buyer, orderId } = await orderAsBuyer(product.name);

    await payWith(/^3-D Secure: your bank asks you to confirm/);
    await challenge().waitFor();
    const a11y = await accessibilityProblems(ctx.page);
    await challenge().getByRole('button', { name: 'Complete authentication' }).click();
    await shownStatus('paid');

    expect(a11y).toEqual([]);
    const [order] = await ordersOf(ctx.shop, await apiLogin(ctx.shop, buyer));
    expect(order).toMatchObject({ id: orderId, status: 'paid' });
    expect(order!.history.map((h) => h.status)).toEqual(['pending', 'paid']);
    expectNothingWrong(ctx.watched);
  });

  it('when the buyer fails the challenge, then the page says so and can pay again at once: the order is still payable, and another card pays it', async () => {
    const product = await createProduct(ctx.shop.app, ctx.admin, { stock: 5 });
    const { buyer, orderId } = await orderAsBuyer(product.name);

    await payWith(/^3-D Secure 2: your bank asks you to confirm/);
    await challenge().getByRole('button', { name: 'Fail authentication' }).click();
    await ctx.page.getByRole('alert').filter({ hasText: 'authentication failed' }).waitFor();
    const payEnabled = await ctx.page.getByRole('button', { name: /^Pay / }).isEnabled();
    await shownStatus('failed');
    const token = await apiLogin(ctx.shop, buyer);
    const [failed] = await ordersOf(ctx.shop, token);
    await payWith(/Visa: payment succeeds/);
    await shownStatus('paid');

    expect(payEnabled).toBe(true);
    expect(failed).toMatchObject({ id: orderId, status: 'failed' });
    const [order] = await ordersOf(ctx.shop, token);
    expect(order!.history.map((h) => h.status)).toEqual(['pending', 'failed', 'paid']);
    expectNothingWrong(ctx.watched);
  });

  it('when the page is reloaded while the bank waits, then it offers to finish the challenge, and finishing it pays the order', async () => {
    const product = await createProduct(ctx.shop.app, ctx.admin, { stock: 5 });
    const { buyer, orderId } = await orderAsBuyer(product.name);
    await payWith(/^3-D Secure: your bank asks you to confirm/);
    await challenge().waitFor();

    await ctx.page.reload();
    await ctx.page.getByText('Your bank is waiting for you to confirm this payment.').waitFor();
    await ctx.page.getByRole('button', { name: 'Confirm the payment with your bank' }).click();
    await challenge().getByRole('button', { name: 'Complete authentication' }).click();
    await shownStatus('paid');

    const orders = await ordersOf(ctx.shop, await apiLogin(ctx.shop, buyer));
    expect(orders.map((o) => [o.id, o.status])).toEqual([[orderId, 'paid']]);
    expectNothingWrong(ctx.watched);
  });
});

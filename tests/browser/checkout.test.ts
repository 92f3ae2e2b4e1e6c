import request from 'supertest';
import { buildUser, createProduct } from '../helpers/builders';
import {
  apiLogin,
  expectNothingWrong,
  goToCheckout,
  ORDER_URL,
  ordersOf,
  placeOrderAcrossReload,
  useBrowserShop,
} from '../helpers/browser';
import { useTestDatabase } from '../helpers/db';

/**
 * Buying in a real Chromium: the storefront served by the app on a real port, the simulated gateway delivering
 * its signed events to the app's own webhook. Each scenario ends by reading the order back through the API.
 */
useTestDatabase();
jest.setTimeout(90_000);

const ctx = useBrowserShop();

/** From the catalogue to an order placed by a new account made on the way, by clicking as a buyer would. */
async function checkoutAsNewBuyer(productName: string, options: { doubleClick?: boolean } = {}) {
  const buyer = buildUser({ name: 'Jane Buyer' });
  await ctx.page.goto(`${ctx.shop.url}/`);
  await ctx.page.getByRole('button', { name: `Add ${productName} to cart` }).click();
  await ctx.page.getByRole('link', { name: 'Cart (1)' }).click();
  await ctx.page.getByRole('link', { name: 'Checkout' }).click();
  await ctx.page.getByRole('link', { name: 'Create an account' }).click();
  await ctx.page.getByLabel('Name').fill(buyer.name);
  await ctx.page.getByLabel('Email').fill(buyer.email);
  await ctx.page.getByLabel(/^Password/).fill(buyer.password);
  await ctx.page.getByRole('button', { name: 'Create account' }).click();
  const place = ctx.page.getByRole('button', { name: 'Place order' });
  if (options.doubleClick) await place.dblclick();
  else await place.click();
  await ctx.page.waitForURL(ORDER_URL);
  return { buyer, orderId: ORDER_URL.exec(ctx.page.url())![1]! };
}

async function payWith(card: RegExp) {
  await ctx.page.getByLabel(card).check();
  await ctx.page.getByRole('button', { name: /^Pay / }).click();
}

const shownStatus = (status: string) =>
  ctx.page.locator(`#order-status [data-status="${status}"]`).waitFor({ timeout: 20_000 });

describe('checkout in a browser (simulated payments)', () => {
  it('when a buyer signs up at checkout, places the order with a double click and pays with a test Visa, then one order is paid', async () => {
    const product = await createProduct(ctx.shop.app, ctx.admin, { stock: 5, price: 25.99 });

    const { buyer, orderId } = await checkoutAsNewBuyer(product.name, { doubleClick: true });
    // The new view's heading takes the focus, so a screen reader starts reading where the page changed.
    // A locator, not waitForFunction with a string: that one is polled through eval(), which the page's CSP refuses.
    const heading = ctx.page.locator('h1[tabindex="-1"]:focus', { hasText: `Order ${orderId.slice(-8)}` });
    await heading.waitFor({ timeout: 20_000 });
    expect(await heading.evaluate((element) => element.outerHTML)).toBe(
      `<h1 tabindex="-1">Order ${orderId.slice(-8)}</h1>`,
    );
    await payWith(/Visa: payment succeeds/);
    await shownStatus('paid');

    expect(await ctx.page.locator('#announcer').textContent()).toMatch(/your order is paid/);
    const orders = await ordersOf(ctx.shop, await apiLogin(ctx.shop, buyer));
    expect(orders.map((o) => [o.id, o.status])).toEqual([[orderId, 'paid']]);
    expect((await request(ctx.shop.app).get(`/api/products/${product.id}`).expect(200)).body.data.stock).toBe(4);
    expectNothingWrong(ctx.watched);
  });

  it('when the first card is declined, then the page says why, the order is failed, and another card pays it', async () => {
    const product = await createProduct(ctx.shop.app, ctx.admin, { stock: 5 });
    const { buyer, orderId } = await checkoutAsNewBuyer(product.name);

    await payWith(/Declined: insufficient funds/);
    await ctx.page.getByRole('alert').filter({ hasText: 'Your card has insufficient funds.' }).waitFor();
    await shownStatus('failed');
    await payWith(/Visa: payment succeeds/);
    await shownStatus('paid');

    const [order] = await ordersOf(ctx.shop, await apiLogin(ctx.shop, buyer));
    expect(order).toMatchObject({ id: orderId, status: 'paid' });
    expect(order!.history.map((h) => h.status)).toEqual(['pending', 'failed', 'paid']);
    expectNothingWrong(ctx.watched, [`402 POST /api/orders/${orderId}/pay`]);
  });

  it('when the page is reloaded while the order is being placed, then the same Idempotency-Key comes back with the same order: one order', async () => {
    const product = await createProduct(ctx.shop.app, ctx.admin, { stock: 5 });
    const buyer = buildUser();
    await request(ctx.shop.app).post('/api/registration').send(buyer).expect(201);
    await ctx.page.goto(`${ctx.shop.url}/#/signin?next=/checkout`);
    await ctx.page.getByLabel('Email').fill(buyer.email);
    await ctx.page.getByLabel('Password').fill(buyer.password);
    await ctx.page.getByRole('button', { name: 'Sign in' }).click();
    await ctx.page.waitForURL(/#\/checkout$/);
    await goToCheckout(ctx, product.name);

    const replay = await placeOrderAcrossReload(ctx.page);
    expect([replay.status(), replay.headers()['idempotent-replayed']]).toEqual([201, 'true']);
    await ctx.page.waitForURL(ORDER_URL);
    await payWith(/Visa: payment succeeds/);
    await shownStatus('paid');
    const orders = await ordersOf(ctx.shop, await apiLogin(ctx.shop, buyer));
    expect(orders.map((o) => o.status)).toEqual(['paid']);
    expect((await request(ctx.shop.app).get(`/api/products/${product.id}`).expect(200)).body.data.stock).toBe(4);
    expectNothingWrong(ctx.watched);
  });
});

/** What has the focus: its accessible text (label, or text content) and, for links, where it goes. */
const FOCUSED = `(() => {
  const e = document.activeElement;
  if (!e || e === document.body) return { text: '', outside: true };
  const label = e.labels && e.labels[0] ? e.labels[0].textContent : '';
  const text = (e.getAttribute('aria-label') || label || e.textContent || '').replace(/\\s+/g, ' ').trim();
  const style = getComputedStyle(e);
  return { text: text + (e.getAttribute('href') ? ' -> ' + e.getAttribute('href') : ''), visibleFocus: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2 };
})()`;

/** Presses Tab until the focused element's text matches, checking that every control it stops on shows its focus. */
async function tabTo(target: RegExp, stops: string[]) {
  for (let presses = 0; presses < 80; presses++) {
    await ctx.page.keyboard.press('Tab');
    const focused = await ctx.page.evaluate<{ text: string; visibleFocus?: boolean; outside?: true }>(FOCUSED);
    // Past the last control the focus leaves the page for the browser's own controls, then comes back to the first.
    if (focused.outside) continue;
    if (!focused.visibleFocus) stops.push(`no visible focus on "${focused.text}" (going to ${target})`);
    if (target.test(focused.text)) return;
  }
  throw new Error(`Tab never reached ${target}`);
}

describe('checkout with the keyboard only', () => {
  it('when a buyer uses only Tab, arrows, typing and Enter, then the order is placed and paid, and every focused control shows its focus', async () => {
    const product = await createProduct(ctx.shop.app, ctx.admin, { stock: 5 });
    const buyer = buildUser();
    await request(ctx.shop.app).post('/api/registration').send(buyer).expect(201);
    const noFocus: string[] = [];
    await ctx.page.goto(`${ctx.shop.url}/`);
    await ctx.page.getByRole('heading', { name: product.name }).waitFor();

    await tabTo(new RegExp(`^Add ${product.name} to cart$`), noFocus);
    await ctx.page.keyboard.press('Enter');
    await tabTo(/^Cart \(1\) -> #\/cart$/, noFocus);
    await ctx.page.keyboard.press('Enter');
    await ctx.page.waitForURL(/#\/cart$/);
    await tabTo(/^Checkout -> #\/checkout$/, noFocus);
    await ctx.page.keyboard.press('Enter');
    await tabTo(/^Sign in -> #\/signin\?next=\/checkout$/, noFocus);
    await ctx.page.keyboard.press('Enter');
    await tabTo(/^Email$/, noFocus);
    await ctx.page.keyboard.type(buyer.email);
    await ctx.page.keyboard.press('Tab');
    await ctx.page.keyboard.type(buyer.password);
    await ctx.page.keyboard.press('Enter');
    await ctx.page.waitForURL(/#\/checkout$/);
    await tabTo(/^Place order$/, noFocus);
    await ctx.page.keyboard.press('Enter');
    await ctx.page.waitForURL(ORDER_URL);
    await tabTo(/^Visa: payment succeeds/, noFocus);
    await ctx.page.keyboard.press('ArrowDown');
    expect(await ctx.page.getByLabel(/Mastercard: payment succeeds/).isChecked()).toBe(true);
    await tabTo(/^Pay /, noFocus);
    await ctx.page.keyboard.press('Enter');
    await shownStatus('paid');

    expect(noFocus).toEqual([]);
    const orders = await ordersOf(ctx.shop, await apiLogin(ctx.shop, buyer));
    expect(orders.map((o) => [o.status, o.items.map((i) => i.productId)])).toEqual([['paid', [product.id]]]);
    expectNothingWrong(ctx.watched);
  });
});

import request from 'supertest';
import { createProduct } from '../helpers/builders';
import {
  accessibilityProblems,
  apiLogin,
  DESKTOP,
  expectNothingWrong,
  goToCheckout,
  ORDER_URL,
  ordersOf,
  PHONE,
  placeOrderAcrossReload,
  screenshot,
  signIn,
  useBrowserShop,
} from '../helpers/browser';
import { useTestDatabase } from '../helpers/db';
import { startLocalstripeShop } from '../helpers/live-shop';
import { localstripeUrl } from '../helpers/stripe-services';

/**
 * The storefront in Stripe test mode against localstripe, in a real Chromium: the page loads localstripe's stand-in
 * Stripe.js (STRIPE_JS_URL) with a publishable key from GET /api/config, saves the card typed in its card field with
 * a SetupIntent (confirmCardSetup), pays from the server with that card, finishes 3-D Secure with
 * confirmCardPayment (the stand-in's "Complete authentication" / "Fail authentication" modal), and the order is paid
 * by localstripe's own signed webhook. Each scenario ends by reading the order back through the API.
 */
useTestDatabase();
jest.setTimeout(120_000);

const ctx = useBrowserShop({ start: () => startLocalstripeShop(), otherOrigins: () => [localstripeUrl()] });

const VISA = '4242424242424242';
/** localstripe's 3-D Secure test cards: authentication at setup and at every payment. */
const ALWAYS_AUTHENTICATE = '4000002760003184';
const AUTHENTICATE = '4000002500003155';

type ApiOrder = Awaited<ReturnType<typeof ordersOf>>[number] & { history: Array<{ status: string; eventId?: string }> };

/** From the catalogue to an order placed for one unit of the product; the order page is open. */
async function placeOrder(productName: string) {
  await goToCheckout(ctx, productName);
  await ctx.page.getByRole('button', { name: 'Place order' }).click();
  await ctx.page.waitForURL(ORDER_URL);
  return ORDER_URL.exec(ctx.page.url())![1]!;
}

/** Types a card into the stand-in's card field, as a buyer types into Stripe Elements' (which is an iframe of Stripe's). */
async function typeCard(number: string) {
  await ctx.page.getByLabel('A new card').check();
  const field = ctx.page.locator('.card-field');
  await field.locator('input[placeholder="number"]').fill(number);
  await field.locator('input[placeholder="exp_month"]').fill('12');
  await field.locator('input[placeholder="exp_year"]').fill('34');
  await field.locator('input[placeholder="cvc"]').fill('123');
  await field.locator('input[placeholder="postal_code"]').fill('75001');
}

const pay = () => ctx.page.getByRole('button', { name: /^Pay / }).click();
/** The stand-in's 3-D Secure modal (confirmCardSetup and confirmCardPayment open it). */
const answerBank = (answer: 'Complete authentication' | 'Fail authentication') =>
  ctx.page.getByRole('button', { name: answer }).click();
const shownStatus = (status: string) =>
  ctx.page.locator(`#order-status [data-status="${status}"]`).waitFor({ timeout: 30_000 });
const orderOf = async (token: string, id: string) =>
  (await ordersOf(ctx.shop, token)).find((o) => o.id === id) as ApiOrder;
const cardsOf = async (token: string) =>
  (await request(ctx.shop.app).get('/api/payment-methods').set('Authorization', token).expect(200)).body.data as Array<{
    id: string;
    last4: string;
  }>;

describe('Stripe mode on localstripe', () => {
  it("when a 4242 card is typed, then it is saved and pays, localstripe's signed webhook makes the order paid, and a second order is paid with the saved card in one click", async () => {
    const product = await createProduct(ctx.shop.app, ctx.admin, { stock: 5, price: 12.5, currency: 'EUR' });
    const buyer = await signIn(ctx);
    const firstId = await placeOrder(product.name);
    await ctx.page.locator('.card-field input').first().waitFor();
    await screenshot(ctx.page, 'localstripe-checkout-desktop');
    await ctx.page.setViewportSize(PHONE);
    await screenshot(ctx.page, 'localstripe-checkout-phone');
    const a11y = await accessibilityProblems(ctx.page, { exclude: ['.card-field'] });
    await ctx.page.setViewportSize(DESKTOP);

    await typeCard(VISA);
    await pay();
    await shownStatus('paid');
    const secondId = await placeOrder(product.name);
    await ctx.page.getByLabel(/^VISA ending 4242/).waitFor();
    await screenshot(ctx.page, 'localstripe-saved-card-desktop');
    const savedChecked = await ctx.page.getByLabel(/^VISA ending 4242/).isChecked();
    await pay();
    await shownStatus('paid');

    expect(a11y).toEqual([]);
    expect(savedChecked).toBe(true);
    const token = await apiLogin(ctx.shop, buyer);
    for (const id of [firstId, secondId]) {
      const order = await orderOf(token, id);
      expect(order.status).toBe('paid');
      // Paid by localstripe's own event, not found by asking.
      expect(order.history.at(-1)).toMatchObject({ status: 'paid', eventId: expect.stringMatching(/^evt_/) });
    }
    expect((await cardsOf(token)).map((card) => card.last4)).toEqual(['4242']);
    expectNothingWrong(ctx.watched);
  });

  it('when a 3-D Secure card is typed and the buyer completes each challenge (saving it, paying with it), then the order is paid', async () => {
    const product = await createProduct(ctx.shop.app, ctx.admin, { stock: 5 });
    const buyer = await signIn(ctx);
    const orderId = await placeOrder(product.name);

    await typeCard(ALWAYS_AUTHENTICATE);
    await pay();
    await answerBank('Complete authentication'); // saving the card
    await ctx.page.getByText('Your bank asks you to confirm this payment…').waitFor();
    await answerBank('Complete authentication'); // paying with it
    await shownStatus('paid');

    const order = await orderOf(await apiLogin(ctx.shop, buyer), orderId);
    expect(order.status).toBe('paid');
    expect(order.history.map((h) => h.status)).toEqual(['pending', 'paid']);
    expectNothingWrong(ctx.watched);
  });

  it('when the buyer fails the challenge, then the failure is shown, the order stays pending and payable; the card is removed and another card pays it', async () => {
    const product = await createProduct(ctx.shop.app, ctx.admin, { stock: 5 });
    const buyer = await signIn(ctx);
    const orderId = await placeOrder(product.name);

    await typeCard(AUTHENTICATE);
    await pay();
    await answerBank('Complete authentication'); // saving the card
    await ctx.page.getByText('Your bank asks you to confirm this payment…').waitFor();
    await answerBank('Fail authentication'); // paying with it
    await ctx.page.getByRole('alert').filter({ hasText: 'failed authentication' }).waitFor();
    const payEnabled = await ctx.page.getByRole('button', { name: /^Pay / }).isEnabled();
    const token = await apiLogin(ctx.shop, buyer);
    const afterFailure = await orderOf(token, orderId);
    // The 3-D Secure card was kept when it was set up: the buyer removes it and types another.
    await ctx.page.getByRole('button', { name: /^Remove VISA ending 3155/ }).click();
    await ctx.page.getByLabel(/^VISA ending 3155/).waitFor({ state: 'detached' });
    await typeCard(VISA);
    await pay();
    await shownStatus('paid');

    expect(payEnabled).toBe(true);
    // localstripe sends no event for a failed authentication: the order is still pending, and payable.
    expect(afterFailure.status).toBe('pending');
    const order = await orderOf(token, orderId);
    expect(order.history.map((h) => h.status)).toEqual(['pending', 'paid']);
    expect((await cardsOf(token)).map((card) => card.last4)).toEqual(['4242']);
    expectNothingWrong(ctx.watched);
  });

  it('when the page is reloaded while the order is being placed, then the same Idempotency-Key makes one order, which the card then pays', async () => {
    const product = await createProduct(ctx.shop.app, ctx.admin, { stock: 5 });
    const buyer = await signIn(ctx);
    await goToCheckout(ctx, product.name);

    const replay = await placeOrderAcrossReload(ctx.page);
    expect([replay.status(), replay.headers()['idempotent-replayed']]).toEqual([201, 'true']);
    await ctx.page.waitForURL(ORDER_URL);
    await typeCard(VISA);
    await pay();
    await shownStatus('paid');
    const orders = await ordersOf(ctx.shop, await apiLogin(ctx.shop, buyer));
    expect(orders.map((o) => o.status)).toEqual(['paid']);
    expect((await request(ctx.shop.app).get(`/api/products/${product.id}`).expect(200)).body.data.stock).toBe(4);
    expectNothingWrong(ctx.watched);
  });

  it('when a product is named <img src=x onerror=alert(1)>, then the catalogue and the order page in Stripe mode show it as text and run nothing', async () => {
    const name = '<img src=x onerror=alert(1)>';
    await createProduct(ctx.shop.app, ctx.admin, { name, description: '<script>window.__xss = 1</script>', stock: 3 });
    await signIn(ctx);
    await ctx.page.goto(`${ctx.shop.url}/#/`);
    await ctx.page.getByRole('heading', { name }).waitFor();
    await screenshot(ctx.page, 'localstripe-catalogue-desktop');
    await ctx.page.setViewportSize(PHONE);
    await screenshot(ctx.page, 'localstripe-catalogue-phone');
    await ctx.page.setViewportSize(DESKTOP);

    await placeOrder(name);
    await ctx.page.locator('.card-field input').first().waitFor();
    const injected = await ctx.page.evaluate<{ flag: unknown; elements: number; text: string }>(
      `({ flag: window.__xss ?? null, elements: document.querySelectorAll('main img, main script').length, text: document.querySelector('main').textContent })`,
    );

    expect(injected).toMatchObject({ flag: null, elements: 0 });
    expect(injected.text).toContain(name);
    expectNothingWrong(ctx.watched);
  });
});

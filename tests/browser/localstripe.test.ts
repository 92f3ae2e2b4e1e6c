import type { Page } from 'playwright-core';
import request from 'supertest';
import type { ChromiumSession } from '../../scripts/chromium';
import { adminToken, buildUser, createProduct } from '../helpers/builders';
import { accessibilityProblems, apiLogin, DESKTOP, launchBrowser, openPage, ordersOf, PHONE, screenshot, type WatchedPage } from '../helpers/browser';
import { useTestDatabase } from '../helpers/db';
import { startLocalstripeShop, type LiveShop } from '../helpers/live-shop';
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

let browser: ChromiumSession;
let shop: LiveShop;
let watched: WatchedPage;
let page: Page;
let admin: string;

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});
beforeEach(async () => {
  shop = await startLocalstripeShop();
  admin = await adminToken(shop.app);
  watched = await openPage(browser, shop, DESKTOP, { otherOrigins: [localstripeUrl()] });
  page = watched.page;
});
afterEach(async () => {
  await page.close();
  await shop.close();
});

const ORDER_URL = /#\/orders\/([0-9a-f]{24})$/;
const VISA = '4242424242424242';
/** localstripe's 3-D Secure test cards: authentication at setup and at every payment. */
const ALWAYS_AUTHENTICATE = '4000002760003184';
const AUTHENTICATE = '4000002500003155';

type ApiOrder = Awaited<ReturnType<typeof ordersOf>>[number] & { history: Array<{ status: string; eventId?: string }> };

async function signIn(buyer = buildUser()) {
  await request(shop.app).post('/api/registration').send(buyer).expect(201);
  await page.goto(`${shop.url}/#/signin`);
  await page.getByLabel('Email').fill(buyer.email);
  await page.getByLabel('Password').fill(buyer.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  return buyer;
}

/** From the catalogue to an order placed for one unit of the product; the order page is open. */
async function placeOrder(productName: string) {
  await page.goto(`${shop.url}/#/`);
  await page.getByRole('button', { name: `Add ${productName} to cart` }).click();
  await page.getByRole('link', { name: 'Cart (1)' }).click();
  await page.getByRole('link', { name: 'Checkout' }).click();
  await page.getByRole('button', { name: 'Place order' }).click();
  await page.waitForURL(ORDER_URL);
  return ORDER_URL.exec(page.url())![1]!;
}

/** Types a card into the stand-in's card field, as a buyer types into Stripe Elements' (which is an iframe of Stripe's). */
async function typeCard(number: string) {
  await page.getByLabel('A new card').check();
  const field = page.locator('.card-field');
  await field.locator('input[placeholder="number"]').fill(number);
  await field.locator('input[placeholder="exp_month"]').fill('12');
  await field.locator('input[placeholder="exp_year"]').fill('34');
  await field.locator('input[placeholder="cvc"]').fill('123');
  await field.locator('input[placeholder="postal_code"]').fill('75001');
}

const pay = () => page.getByRole('button', { name: /^Pay / }).click();
/** The stand-in's 3-D Secure modal (confirmCardSetup and confirmCardPayment open it). */
const answerBank = (answer: 'Complete authentication' | 'Fail authentication') => page.getByRole('button', { name: answer }).click();
const shownStatus = (status: string) => page.locator(`#order-status [data-status="${status}"]`).waitFor({ timeout: 30_000 });
const orderOf = async (token: string, id: string) => (await ordersOf(shop, token)).find((o) => o.id === id) as ApiOrder;
const cardsOf = async (token: string) =>
  (await request(shop.app).get('/api/payment-methods').set('Authorization', token).expect(200)).body.data as Array<{ id: string; last4: string }>;

function expectNothingWrong() {
  expect({ problems: watched.problems, csp: watched.cspViolations, dialogs: watched.dialogs, httpErrors: watched.httpErrors }).toEqual({
    problems: [],
    csp: [],
    dialogs: [],
    httpErrors: [],
  });
}

describe('Stripe mode on localstripe', () => {
  it("when a 4242 card is typed, then it is saved and pays, localstripe's signed webhook makes the order paid, and a second order is paid with the saved card in one click", async () => {
    const product = await createProduct(shop.app, admin, { stock: 5, price: 12.5, currency: 'EUR' });
    const buyer = await signIn();
    const firstId = await placeOrder(product.name);
    await page.locator('.card-field input').first().waitFor();
    await screenshot(page, 'localstripe-checkout-desktop');
    await page.setViewportSize(PHONE);
    await screenshot(page, 'localstripe-checkout-phone');
    const a11y = await accessibilityProblems(page, { exclude: ['.card-field'] });
    await page.setViewportSize(DESKTOP);

    await typeCard(VISA);
    await pay();
    await shownStatus('paid');
    const secondId = await placeOrder(product.name);
    await page.getByLabel(/^VISA ending 4242/).waitFor();
    await screenshot(page, 'localstripe-saved-card-desktop');
    const savedChecked = await page.getByLabel(/^VISA ending 4242/).isChecked();
    await pay();
    await shownStatus('paid');

    expect(a11y).toEqual([]);
    expect(savedChecked).toBe(true);
    const token = await apiLogin(shop, buyer);
    for (const id of [firstId, secondId]) {
      const order = await orderOf(token, id);
      expect(order.status).toBe('paid');
      // Paid by localstripe's own event, not found by asking.
      expect(order.history.at(-1)).toMatchObject({ status: 'paid', eventId: expect.stringMatching(/^evt_/) });
    }
    expect((await cardsOf(token)).map((card) => card.last4)).toEqual(['4242']);
    expectNothingWrong();
  });

  it('when a 3-D Secure card is typed and the buyer completes each challenge (saving it, paying with it), then the order is paid', async () => {
    const product = await createProduct(shop.app, admin, { stock: 5 });
    const buyer = await signIn();
    const orderId = await placeOrder(product.name);

    await typeCard(ALWAYS_AUTHENTICATE);
    await pay();
    await answerBank('Complete authentication'); // saving the card
    await page.getByText('Your bank asks you to confirm this payment…').waitFor();
    await answerBank('Complete authentication'); // paying with it
    await shownStatus('paid');

    const order = await orderOf(await apiLogin(shop, buyer), orderId);
    expect(order.status).toBe('paid');
    expect(order.history.map((h) => h.status)).toEqual(['pending', 'paid']);
    expectNothingWrong();
  });

  it('when the buyer fails the challenge, then the failure is shown, the order stays pending and payable; the card is removed and another card pays it', async () => {
    const product = await createProduct(shop.app, admin, { stock: 5 });
    const buyer = await signIn();
    const orderId = await placeOrder(product.name);

    await typeCard(AUTHENTICATE);
    await pay();
    await answerBank('Complete authentication'); // saving the card
    await page.getByText('Your bank asks you to confirm this payment…').waitFor();
    await answerBank('Fail authentication'); // paying with it
    await page.getByRole('alert').filter({ hasText: 'failed authentication' }).waitFor();
    const payEnabled = await page.getByRole('button', { name: /^Pay / }).isEnabled();
    const token = await apiLogin(shop, buyer);
    const afterFailure = await orderOf(token, orderId);
    // The 3-D Secure card was kept when it was set up: the buyer removes it and types another.
    await page.getByRole('button', { name: /^Remove VISA ending 3155/ }).click();
    await page.getByLabel(/^VISA ending 3155/).waitFor({ state: 'detached' });
    await typeCard(VISA);
    await pay();
    await shownStatus('paid');

    expect(payEnabled).toBe(true);
    // localstripe sends no event for a failed authentication: the order is still pending, and payable.
    expect(afterFailure.status).toBe('pending');
    const order = await orderOf(token, orderId);
    expect(order.history.map((h) => h.status)).toEqual(['pending', 'paid']);
    expect((await cardsOf(token)).map((card) => card.last4)).toEqual(['4242']);
    expectNothingWrong();
  });

  it('when the page is reloaded while the order is being placed, then the same Idempotency-Key makes one order, which the card then pays', async () => {
    const product = await createProduct(shop.app, admin, { stock: 5 });
    const buyer = await signIn();
    await page.goto(`${shop.url}/#/`);
    await page.getByRole('button', { name: `Add ${product.name} to cart` }).click();
    await page.getByRole('link', { name: 'Cart (1)' }).click();
    await page.getByRole('link', { name: 'Checkout' }).click();
    let reachedServer!: () => void;
    const made = new Promise<void>((resolve) => (reachedServer = resolve));
    let held = false;
    await page.route('**/api/orders/create', async (route) => {
      if (held) return route.continue();
      held = true;
      await route.fetch();
      reachedServer();
    });
    await page.getByRole('button', { name: 'Place order' }).click();
    await made;
    const resumed = page.waitForResponse((res) => res.url().endsWith('/api/orders/create'));

    await page.reload();

    const replay = await resumed;
    expect([replay.status(), replay.headers()['idempotent-replayed']]).toEqual([201, 'true']);
    await page.waitForURL(ORDER_URL);
    await typeCard(VISA);
    await pay();
    await shownStatus('paid');
    const orders = await ordersOf(shop, await apiLogin(shop, buyer));
    expect(orders.map((o) => o.status)).toEqual(['paid']);
    expect((await request(shop.app).get(`/api/products/${product.id}`).expect(200)).body.data.stock).toBe(4);
    expectNothingWrong();
  });

  it('when a product is named <img src=x onerror=alert(1)>, then the catalogue and the order page in Stripe mode show it as text and run nothing', async () => {
    const name = '<img src=x onerror=alert(1)>';
    await createProduct(shop.app, admin, { name, description: '<script>window.__xss = 1</script>', stock: 3 });
    await signIn();
    await page.goto(`${shop.url}/#/`);
    await page.getByRole('heading', { name }).waitFor();
    await screenshot(page, 'localstripe-catalogue-desktop');
    await page.setViewportSize(PHONE);
    await screenshot(page, 'localstripe-catalogue-phone');
    await page.setViewportSize(DESKTOP);

    await placeOrder(name);
    await page.locator('.card-field input').first().waitFor();
    const injected = await page.evaluate<{ flag: unknown; elements: number; text: string }>(
      `({ flag: window.__xss ?? null, elements: document.querySelectorAll('main img, main script').length, text: document.querySelector('main').textContent })`,
    );

    expect(injected).toMatchObject({ flag: null, elements: 0 });
    expect(injected.text).toContain(name);
    expectNothingWrong();
  });
});

import type { Page } from 'playwright-core';
import request from 'supertest';
import type { ChromiumSession } from '../../scripts/chromium';
import { adminToken, buildUser, createProduct } from '../helpers/builders';
import {
  accessibilityProblems,
  apiLogin,
  launchBrowser,
  openPage,
  ordersOf,
  startBrowserShop,
  type BrowserShop,
  type WatchedPage,
} from '../helpers/browser';
import { useTestDatabase } from '../helpers/db';

/**
 * 3-D Secure with simulated payments in a real Chromium: the page plays the bank's challenge in a dialog answered
 * through the simulated gateway, whose signed events reach the app's own webhook. Each scenario ends by reading
 * the order back through the API.
 */
useTestDatabase();
jest.setTimeout(90_000);

let browser: ChromiumSession;
let shop: BrowserShop;
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
  shop = await startBrowserShop();
  admin = await adminToken(shop.app);
  watched = await openPage(browser, shop);
  page = watched.page;
});
afterEach(async () => {
  await page.close();
  await shop.close();
});

const ORDER_URL = /#\/orders\/([0-9a-f]{24})$/;

/** A buyer signed in through the page, with one order placed for `productName`; the order page is open. */
async function orderAsBuyer(productName: string) {
  const buyer = buildUser();
  await request(shop.app).post('/api/registration').send(buyer).expect(201);
  await page.goto(`${shop.url}/#/signin`);
  await page.getByLabel('Email').fill(buyer.email);
  await page.getByLabel('Password').fill(buyer.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  await page.goto(`${shop.url}/#/`);
  await page.getByRole('button', { name: `Add ${productName} to cart` }).click();
  await page.getByRole('link', { name: 'Cart (1)' }).click();
  await page.getByRole('link', { name: 'Checkout' }).click();
  await page.getByRole('button', { name: 'Place order' }).click();
  await page.waitForURL(ORDER_URL);
  return { buyer, orderId: ORDER_URL.exec(page.url())![1]! };
}

async function payWith(card: RegExp) {
  await page.getByLabel(card).check();
  await page.getByRole('button', { name: /^Pay / }).click();
}

const challenge = () => page.getByRole('dialog', { name: 'Confirm this payment' });
const shownStatus = (status: string) => page.locator(`#order-status [data-status="${status}"]`).waitFor({ timeout: 20_000 });

function expectNothingWrong() {
  expect({ problems: watched.problems, csp: watched.cspViolations, dialogs: watched.dialogs, httpErrors: watched.httpErrors }).toEqual({
    problems: [],
    csp: [],
    dialogs: [],
    httpErrors: [],
  });
}

describe('3-D Secure with simulated payments', () => {
  it('when the buyer pays with a 3-D Secure card and completes the challenge, then the order is paid', async () => {
    const product = await createProduct(shop.app, admin, { stock: 5 });
    const { buyer, orderId } = await orderAsBuyer(product.name);

    await payWith(/^3-D Secure: your bank asks you to confirm/);
    await challenge().waitFor();
    const a11y = await accessibilityProblems(page);
    await challenge().getByRole('button', { name: 'Complete authentication' }).click();
    await shownStatus('paid');

    expect(a11y).toEqual([]);
    const [order] = await ordersOf(shop, await apiLogin(shop, buyer));
    expect(order).toMatchObject({ id: orderId, status: 'paid' });
    expect(order!.history.map((h) => h.status)).toEqual(['pending', 'paid']);
    expectNothingWrong();
  });

  it('when the buyer fails the challenge, then the page says so and can pay again at once: the order is still payable, and another card pays it', async () => {
    const product = await createProduct(shop.app, admin, { stock: 5 });
    const { buyer, orderId } = await orderAsBuyer(product.name);

    await payWith(/^3-D Secure 2: your bank asks you to confirm/);
    await challenge().getByRole('button', { name: 'Fail authentication' }).click();
    await page.getByRole('alert').filter({ hasText: 'authentication failed' }).waitFor();
    const payEnabled = await page.getByRole('button', { name: /^Pay / }).isEnabled();
    await shownStatus('failed');
    const token = await apiLogin(shop, buyer);
    const [failed] = await ordersOf(shop, token);
    await payWith(/Visa: payment succeeds/);
    await shownStatus('paid');

    expect(payEnabled).toBe(true);
    expect(failed).toMatchObject({ id: orderId, status: 'failed' });
    const [order] = await ordersOf(shop, token);
    expect(order!.history.map((h) => h.status)).toEqual(['pending', 'failed', 'paid']);
    expectNothingWrong();
  });

  it('when the page is reloaded while the bank waits, then it offers to finish the challenge, and finishing it pays the order', async () => {
    const product = await createProduct(shop.app, admin, { stock: 5 });
    const { buyer, orderId } = await orderAsBuyer(product.name);
    await payWith(/^3-D Secure: your bank asks you to confirm/);
    await challenge().waitFor();

    await page.reload();
    await page.getByText('Your bank is waiting for you to confirm this payment.').waitFor();
    await page.getByRole('button', { name: 'Confirm the payment with your bank' }).click();
    await challenge().getByRole('button', { name: 'Complete authentication' }).click();
    await shownStatus('paid');

    const orders = await ordersOf(shop, await apiLogin(shop, buyer));
    expect(orders.map((o) => [o.id, o.status])).toEqual([[orderId, 'paid']]);
    expectNothingWrong();
  });
});

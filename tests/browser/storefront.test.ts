import type { Page } from 'playwright-core';
import request from 'supertest';
import type { ChromiumSession } from '../../scripts/chromium';
import { adminToken, buildUser, createProduct } from '../helpers/builders';
import {
  accessibilityProblems,
  apiLogin,
  DESKTOP,
  launchBrowser,
  openPage,
  ordersOf,
  PHONE,
  screenshot,
  startBrowserShop,
  type BrowserShop,
  type WatchedPage,
} from '../helpers/browser';
import { useTestDatabase } from '../helpers/db';

/**
 * The storefront in a real Chromium beyond buying: what an admin or buyer wrote is shown as text and never
 * runs, every view passes axe-core without serious or critical violations, and the run keeps screenshots
 * of the catalogue and the checkout at a desktop and a phone width (tests/browser/output).
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
});
afterEach(async () => {
  await page?.close();
  await shop.close();
});

const HOSTILE_NAME = '<img src=x onerror=alert(1)>';
const HOSTILE_DESCRIPTION = '<script>window.__xss = 1</script><img src=x onerror="window.__xss = 1"><b onmouseover=alert(2)>bold</b>';

/** Signs a new buyer in through the page, starting anywhere. */
async function signIn(user = buildUser()) {
  await request(shop.app).post('/api/registration').send(user).expect(201);
  await page.goto(`${shop.url}/#/signin`);
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  return user;
}

/** No element the data could have made, no script run, no dialog, and the data shown literally. */
async function expectShownAsText(texts: string[]) {
  const injected = await page.evaluate<{ flag: unknown; images: number; text: string }>(
    `({ flag: window.__xss ?? null, images: document.querySelectorAll('main img, main script, main b').length, text: document.querySelector('main').textContent })`,
  );
  expect({ flag: injected.flag, elements: injected.images, dialogs: watched.dialogs, csp: watched.cspViolations }).toEqual({
    flag: null,
    elements: 0,
    dialogs: [],
    csp: [],
  });
  for (const text of texts) expect(injected.text).toContain(text);
}

describe('what people wrote is text', () => {
  it('when a product is named <img src=x onerror=alert(1)> with a scripted description, then the catalogue, cart and order show it literally and run nothing', async () => {
    const product = await createProduct(shop.app, admin, { name: HOSTILE_NAME, description: HOSTILE_DESCRIPTION, stock: 3 });
    watched = await openPage(browser, shop);
    page = watched.page;
    const buyer = await signIn();

    await page.goto(`${shop.url}/#/`);
    await page.getByRole('heading', { name: HOSTILE_NAME }).waitFor();
    await page.getByRole('heading', { name: HOSTILE_NAME }).hover();
    await expectShownAsText([HOSTILE_NAME, HOSTILE_DESCRIPTION]);
    await page.getByRole('button', { name: `Add ${HOSTILE_NAME} to cart` }).click();
    await page.getByRole('link', { name: 'Cart (1)' }).click();
    await page.getByRole('row', { name: new RegExp(`^${HOSTILE_NAME.replace(/[()]/g, '\\$&')}`) }).waitFor();
    await expectShownAsText([HOSTILE_NAME]);
    await page.getByRole('link', { name: 'Checkout' }).click();
    await page.getByRole('button', { name: 'Place order' }).click();
    await page.getByRole('heading', { name: 'Pay for this order' }).waitFor();
    await expectShownAsText([HOSTILE_NAME]);

    const [order] = await ordersOf(shop, await apiLogin(shop, buyer));
    expect(order!.items).toEqual([expect.objectContaining({ productId: product.id, name: HOSTILE_NAME })]);
    expect(watched.problems).toEqual([]);
  });
});

describe('accessibility (axe-core) and screenshots', () => {
  it('when every view is opened, at a desktop and a phone width, then axe finds no serious or critical violation', async () => {
    await createProduct(shop.app, admin, { name: 'Wireless Mouse', description: 'A high-precision wireless mouse.', price: 25.99, stock: 100 });
    await createProduct(shop.app, admin, { name: 'Laptop Stand', description: 'Folding aluminium stand.', price: 24.99, stock: 0 });
    await createProduct(shop.app, admin, { name: 'USB-C Hub', description: 'HDMI, two USB-A ports, SD card reader.', price: 29.99, stock: 200 });
    const problems: string[] = [];
    const check = async (view: string) => {
      for (const problem of await accessibilityProblems(page)) problems.push(`${view}: ${problem}`);
    };

    for (const [width, viewport] of [
      ['desktop', DESKTOP],
      ['phone', PHONE],
    ] as const) {
      watched = await openPage(browser, shop, viewport);
      page = watched.page;
      await page.goto(`${shop.url}/#/`);
      await page.getByRole('heading', { name: 'USB-C Hub' }).waitFor();
      await check(`catalogue (${width})`);
      await screenshot(page, `catalogue-${width}`);
      await page.goto(`${shop.url}/#/signup`);
      await page.getByLabel('Name').waitFor();
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.getByText('Please fill out this field.').waitFor();
      await check(`sign up with errors (${width})`);
      await signIn();
      await check(`sign in (${width})`);
      await page.goto(`${shop.url}/#/`);
      await page.getByRole('button', { name: 'Add Wireless Mouse to cart' }).click();
      await page.getByRole('button', { name: 'Add USB-C Hub to cart' }).click();
      await page.getByRole('link', { name: 'Cart (2)' }).click();
      await page.getByRole('row', { name: /USB-C Hub/ }).waitFor();
      await check(`cart (${width})`);
      await page.getByRole('link', { name: 'Checkout' }).click();
      await page.getByRole('button', { name: 'Place order' }).waitFor();
      await check(`checkout (${width})`);
      await screenshot(page, `checkout-${width}`);
      await page.getByRole('button', { name: 'Place order' }).click();
      await page.getByRole('heading', { name: 'Pay for this order' }).waitFor();
      await page.locator('#order-status [data-status="pending"]').waitFor();
      await check(`order to pay (${width})`);
      await screenshot(page, `checkout-pay-${width}`);
      await page.getByLabel(/Declined: expired card/).check();
      await page.getByRole('button', { name: /^Pay / }).click();
      await page.locator('#order-status [data-status="failed"]').waitFor();
      await check(`order after a decline (${width})`);
      await page.getByRole('link', { name: 'My orders' }).click();
      await page.getByRole('link', { name: /^Order / }).waitFor();
      await check(`my orders (${width})`);
      expect(watched.problems).toEqual([]);
      await page.close();
    }

    expect(problems).toEqual([]);
  });
});

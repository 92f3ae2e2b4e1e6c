import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page, Response } from 'playwright-core';
import request from 'supertest';
import { launchChromium, type ChromiumSession } from '../../scripts/chromium';
import type { SimulatedGateway } from '../../src/payments/simulated.gateway';
import { adminToken, buildUser } from './builders';
import { startSimulatedShop, type LiveShop } from './live-shop';

/** Where the browser tests leave their screenshots (git-ignored). */
export const SCREENSHOT_DIR = path.resolve(__dirname, '..', 'browser', 'output');

export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 390, height: 844 };

/** Chromium for one test file: fails loudly (never skips) when it is not installed. */
export function launchBrowser(): Promise<ChromiumSession> {
  return launchChromium({ viewport: DESKTOP });
}

export type BrowserShop = LiveShop;

/**
 * The shop on a loopback port, as `npm start` runs it in development (simulated payments, events to its own
 * webhook). A shop per scenario: each is its own origin, so the browser's storage (cart, session) starts empty.
 * With `mail`, its mail worker sends over SMTP to a server in this process (`smtp`).
 */
export function startBrowserShop(
  env: Record<string, string> = {},
  options: { mail?: boolean } = {},
): Promise<LiveShop<SimulatedGateway>> {
  return startSimulatedShop(env, 250, options);
}

export interface WatchedPage {
  page: Page;
  /** Script errors, console errors, failed requests and requests to any other origin: none are expected. */
  problems: string[];
  /** Content-Security-Policy violations the page reported. */
  cspViolations: string[];
  /** alert/confirm/prompt dialogs opened (and dismissed). */
  dialogs: string[];
  /** Every answer of 400 or more, as "402 POST /api/orders/<id>/pay". */
  httpErrors: string[];
}

/**
 * A new tab on the shop with everything that can go wrong in it recorded. `otherOrigins` may be requested too
 * (localstripe, whose stand-in Stripe.js the page loads and talks to in Stripe mode).
 */
export async function openPage(
  browser: ChromiumSession,
  shop: BrowserShop,
  viewport = DESKTOP,
  options: { otherOrigins?: string[] } = {},
): Promise<WatchedPage> {
  const allowed = [shop.url, ...(options.otherOrigins ?? [])].map((origin) => `${origin}/`);
  const page = await browser.context.newPage();
  await page.setViewportSize(viewport);
  const watched: WatchedPage = { page, problems: [], cspViolations: [], dialogs: [], httpErrors: [] };
  await page.addInitScript(
    "document.addEventListener('securitypolicyviolation', (e) => console.error('CSP violation: ' + e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline')));",
  );
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const text = message.text();
    if (text.startsWith('CSP violation')) watched.cspViolations.push(text);
    // The answer itself is recorded below, with its method and path.
    else if (!text.startsWith('Failed to load resource: the server responded with a status of'))
      watched.problems.push(`console error: ${text}`);
  });
  page.on('pageerror', (error) => watched.problems.push(`page error: ${error.message}`));
  page.on('dialog', (dialog) => {
    watched.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on('request', (req) => {
    if (!allowed.some((origin) => req.url().startsWith(origin)))
      watched.problems.push(`request to another origin: ${req.url()}`);
  });
  // A view's requests are aborted when the buyer navigates away from it (its polling included): not a failure.
  page.on('requestfailed', (req) => {
    if (req.failure()?.errorText !== 'net::ERR_ABORTED')
      watched.problems.push(`request failed: ${req.method()} ${req.url()} ${req.failure()?.errorText}`);
  });
  page.on('response', (res) => {
    if (res.status() >= 400)
      watched.httpErrors.push(`${res.status()} ${res.request().method()} ${new URL(res.url()).pathname}`);
  });
  return watched;
}

/** The fields a browser test file reads: those of the test running (a new shop, and a new tab on it, for each). */
export interface BrowserScenario {
  browser: ChromiumSession;
  shop: BrowserShop;
  /** An admin's token on `shop` (unless `admin: false`). */
  admin: string;
  watched: WatchedPage;
  page: Page;
  /** Opens a watched tab on the test's shop, which `watched` and `page` then are. */
  open(viewport?: typeof DESKTOP): Promise<WatchedPage>;
}

/**
 * Registers a browser test file's hooks: Chromium for the file; before each test a shop from `start` (startBrowserShop
 * by default), an admin's token on it and a watched tab, which may also request `otherOrigins` (`openPage: false`:
 * the test opens its own with `open`); after each, the tab and the shop closed.
 */
export function useBrowserShop(
  options: {
    start?: () => Promise<BrowserShop>;
    admin?: boolean;
    openPage?: boolean;
    otherOrigins?: () => string[];
  } = {},
): BrowserScenario {
  const start = options.start ?? (() => startBrowserShop());
  const scenario = {
    async open(viewport = DESKTOP) {
      scenario.watched = await openPage(scenario.browser, scenario.shop, viewport, {
        otherOrigins: options.otherOrigins?.(),
      });
      scenario.page = scenario.watched.page;
      return scenario.watched;
    },
  } as BrowserScenario;

  beforeAll(async () => {
    scenario.browser = await launchBrowser();
  });
  afterAll(async () => {
    await scenario.browser?.close();
  });
  beforeEach(async () => {
    scenario.shop = await start();
    if (options.admin !== false) scenario.admin = await adminToken(scenario.shop.app);
    if (options.openPage !== false) await scenario.open();
  });
  afterEach(async () => {
    await scenario.page?.close();
    await scenario.shop.close();
  });
  return scenario;
}

/** An order's page; the group is the order's id. */
export const ORDER_URL = /#\/orders\/([0-9a-f]{24})$/;

/** Registers `user` through the API and signs them in through the page, starting anywhere. */
export async function signIn({ shop, page }: Pick<BrowserScenario, 'shop' | 'page'>, user = buildUser()) {
  await request(shop.app).post('/api/registration').send(user).expect(201);
  await page.goto(`${shop.url}/#/signin`);
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  return user;
}

/** From the catalogue to the checkout with one unit of `productName` in the cart, by clicking as a buyer would. */
export async function goToCheckout({ shop, page }: Pick<BrowserScenario, 'shop' | 'page'>, productName: string) {
  await page.goto(`${shop.url}/#/`);
  await page.getByRole('button', { name: `Add ${productName} to cart` }).click();
  await page.getByRole('link', { name: 'Cart (1)' }).click();
  await page.getByRole('link', { name: 'Checkout' }).click();
}

/**
 * Clicks "Place order" on the checkout page with the first request making the order held: it makes the order on the
 * server, but its answer never reaches the page (the tab is reloaded, which cancels it); every later request goes
 * through. Returns the answer the reloaded page gets to the same request.
 */
export async function placeOrderAcrossReload(page: Page): Promise<Response> {
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

  return resumed;
}

/** No script or request problem, CSP violation or dialog in the tab, and no answer of 400 or more but `httpErrors`. */
export function expectNothingWrong(watched: WatchedPage, httpErrors: string[] = []) {
  expect({
    problems: watched.problems,
    csp: watched.cspViolations,
    dialogs: watched.dialogs,
    httpErrors: watched.httpErrors,
  }).toEqual({
    problems: [],
    csp: [],
    dialogs: [],
    httpErrors,
  });
}

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/**
 * axe-core's serious and critical violations on the page as it is now (WCAG 2.x A and AA rules and best
 * practices). axe is evaluated through the DevTools protocol, which the page's CSP does not govern: the
 * page itself still allows no script but its own.
 */
export async function accessibilityProblems(page: Page, options: { exclude?: string[] } = {}): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  // `exclude`: markup that is not ours (localstripe's stand-in card field, where Stripe's own is an iframe of its own).
  const context = options.exclude
    ? JSON.stringify({ exclude: options.exclude.map((selector) => [selector]) })
    : 'document';
  const violations = await page.evaluate<Array<{ id: string; impact: string | null; help: string; targets: string[] }>>(
    `axe.run(${context}, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) })))`,
  );
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.targets.slice(0, 3).join(', ')}`);
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** A buyer's token ("Bearer <JWT>") through the API, to read back what the page did. */
export async function apiLogin(shop: BrowserShop, user: { email: string; password: string }): Promise<string> {
  const res = await request(shop.app).post('/api/login').send(user).expect(200);
  return res.body.token as string;
}

/** The buyer's orders as the API lists them (newest first). */
export async function ordersOf(shop: BrowserShop, token: string) {
  const res = await request(shop.app).get('/api/orders').set('Authorization', token).expect(200);
  return res.body.data as Array<{
    id: string;
    status: string;
    items: Array<{ productId: string; quantity: number; name: string }>;
    history: Array<{ status: string }>;
  }>;
}

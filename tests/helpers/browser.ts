import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import request from 'supertest';
import { launchChromium, type ChromiumSession } from '../../scripts/chromium';
import type { SimulatedGateway } from '../../src/payments/simulated.gateway';
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
export function startBrowserShop(env: Record<string, string> = {}, options: { mail?: boolean } = {}): Promise<LiveShop<SimulatedGateway>> {
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
    else if (!text.startsWith('Failed to load resource: the server responded with a status of')) watched.problems.push(`console error: ${text}`);
  });
  page.on('pageerror', (error) => watched.problems.push(`page error: ${error.message}`));
  page.on('dialog', (dialog) => {
    watched.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on('request', (req) => {
    if (!allowed.some((origin) => req.url().startsWith(origin))) watched.problems.push(`request to another origin: ${req.url()}`);
  });
  // A view's requests are aborted when the buyer navigates away from it (its polling included): not a failure.
  page.on('requestfailed', (req) => {
    if (req.failure()?.errorText !== 'net::ERR_ABORTED')
      watched.problems.push(`request failed: ${req.method()} ${req.url()} ${req.failure()?.errorText}`);
  });
  page.on('response', (res) => {
    if (res.status() >= 400) watched.httpErrors.push(`${res.status()} ${res.request().method()} ${new URL(res.url()).pathname}`);
  });
  return watched;
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
  const context = options.exclude ? JSON.stringify({ exclude: options.exclude.map((selector) => [selector]) }) : 'document';
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

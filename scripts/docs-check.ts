/**
 * npm run docs:check — opens GET /api/docs in a real headless Chromium and fails unless Swagger UI renders
 * every operation of the document with no console error, failed request or CSP violation, and opens order
 * creation, the admin's refund and the admin order list. Screenshots of the page and of each opened operation
 * (paths printed). Not part of `npm test`: it needs a browser (Debian: apt-get install -y chromium).
 *
 *   npm run docs:check                               # serves the app itself on a free port (no database needed)
 *   DOCS_URL=http://localhost:3000 npm run docs:check # checks a running server instead
 *
 * CHROMIUM_PATH (default /usr/bin/chromium) names the browser; DOCS_SCREENSHOT where the screenshot goes.
 */
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createApp } from '../src/app';
import { parseConfig } from '../src/config/env';
import { silentLogger } from '../src/lib/logger';
import { createSimulatedGateway } from '../src/payments/simulated.gateway';
import { CHROMIUM_MISSING, CHROMIUM_PATH, launchChromium } from './chromium';

/** What the $$eval callback below reads of an element: it runs in the browser, and the project compiles without the DOM library. */
interface RenderedBlock {
  querySelector(selector: string): { textContent: string | null; getAttribute(name: string): string | null } | null;
}

const SCREENSHOT = process.env.DOCS_SCREENSHOT ?? path.join(tmpdir(), 'shop-api-docs.png');

/** The app with throw-away secrets and no database: the docs and the document touch neither. */
async function serveApp(): Promise<{ baseUrl: string; close: () => void }> {
  const { config } = parseConfig({
    NODE_ENV: 'test',
    JWT_SECRET: 'docs-check-secret-0123456789-0123456789',
    STRIPE_WEBHOOK_SECRET: 'whsec_docs_check',
  });
  const payments = createSimulatedGateway({
    webhookSecret: config.stripe.webhookSecret,
    webhookUrl: () => undefined,
    deliveryDelayMs: 0,
    logger: silentLogger,
  });
  const app = createApp({ config, logger: silentLogger, isDatabaseReady: () => Promise.resolve(false), payments });
  const server = await new Promise<ReturnType<typeof app.listen>>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  return { baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}

async function main(): Promise<number> {
  if (!existsSync(CHROMIUM_PATH)) {
    process.stderr.write(`docs:check: ${CHROMIUM_MISSING}\n`);
    return 2;
  }
  const served = process.env.DOCS_URL ? undefined : await serveApp();
  const baseUrl = process.env.DOCS_URL ?? served!.baseUrl;
  const apiDocument = (await (await fetch(`${baseUrl}/api/openapi.json`)).json()) as {
    paths: Record<string, Record<string, unknown>>;
  };
  const operations = Object.entries(apiDocument.paths).flatMap(([p, item]) =>
    Object.keys(item).map((method) => `${method.toUpperCase()} ${p}`),
  );
  const problems: string[] = [];
  const browser = await launchChromium({ viewport: { width: 1280, height: 900 } });
  const { context } = browser;
  try {
    const page = await context.newPage();
    // CSP violations also reach the console, but this names the directive and the blocked URL.
    await page.addInitScript(
      "document.addEventListener('securitypolicyviolation', (e) => console.error('CSP violation: ' + e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline')));",
    );
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning')
        problems.push(`console ${message.type()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('requestfailed', (req) => problems.push(`request failed: ${req.url()} ${req.failure()?.errorText ?? ''}`));
    page.on('response', (res) => {
      if (res.status() >= 400) problems.push(`HTTP ${res.status()} for ${res.url()}`);
      if (!res.url().startsWith(baseUrl)) problems.push(`request to another origin: ${res.url()}`);
    });

    const response = await page.goto(`${baseUrl}/api/docs`, { waitUntil: 'load' });
    if (!response?.ok()) problems.push(`GET /api/docs answered ${response?.status()}`);
    await page.waitForSelector('.opblock', { timeout: 20_000 });
    const rendered = await page.$$eval('.opblock', (blocks: RenderedBlock[]) =>
      blocks.map(
        (b) =>
          `${b.querySelector('.opblock-summary-method')?.textContent?.trim()} ${b.querySelector('.opblock-summary-path')?.getAttribute('data-path')}`,
      ),
    );
    for (const operation of operations)
      if (!rendered.includes(operation)) problems.push(`operation not rendered: ${operation}`);
    await page.screenshot({ path: SCREENSHOT });
    // Open operations so their parameters, schemas and examples render too (and are checked for errors): order
    // creation, and the admin's refund and order list.
    const opened: string[] = [];
    for (const [path, name] of [
      ['/api/orders/create', 'operation'],
      ['/api/orders/{id}/refund', 'refund'],
      ['/api/admin/orders', 'admin-orders'],
    ]) {
      const summary = page.locator(`.opblock-summary-path[data-path="${path}"]`);
      await summary.click();
      const block = page.locator('.opblock.is-open', { has: summary });
      await block.locator('.responses-table').first().waitFor({ timeout: 10_000 });
      await page.waitForTimeout(500);
      const file = SCREENSHOT.replace(/(\.png)?$/, `-${name}.png`);
      await block.screenshot({ path: file });
      opened.push(file);
    }

    process.stdout.write(
      `docs:check ${baseUrl}/api/docs: ${rendered.length} operations rendered (document: ${operations.length}); screenshots ${[SCREENSHOT, ...opened].join(', ')}\n`,
    );
  } finally {
    await browser.close();
    served?.close();
  }
  for (const problem of problems) process.stderr.write(`  ${problem}\n`);
  if (problems.length > 0) process.stderr.write(`docs:check failed: ${problems.length} problem(s)\n`);
  return problems.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`docs:check failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);

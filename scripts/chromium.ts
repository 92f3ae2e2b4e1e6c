/**
 * The system Chromium driven by playwright-core, launched the one way the project launches it: for
 * `npm run docs:check` and the browser tests (tests/browser). Headless, with nothing of its own going out to
 * the network (no updates, sync, field trials or QUIC), in a fresh profile directory removed on close.
 * Debian: `apt-get install -y chromium` (.ci/run does it when missing); CHROMIUM_PATH names another binary.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const CHROMIUM_MISSING = `No Chromium at ${CHROMIUM_PATH}: install it (Debian: apt-get install -y chromium) or set CHROMIUM_PATH.`;

export interface ChromiumSession {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Launches Chromium with a fresh profile; throws CHROMIUM_MISSING when there is no browser to launch. */
export async function launchChromium(
  options: { viewport?: { width: number; height: number } } = {},
): Promise<ChromiumSession> {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(CHROMIUM_MISSING);
  const userDataDir = mkdtempSync(path.join(tmpdir(), 'shop-chromium-'));
  const context = await chromium
    .launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      viewport: options.viewport ?? { width: 1280, height: 900 },
      args: CHROMIUM_ARGS,
    })
    .catch((error: unknown) => {
      rmSync(userDataDir, { recursive: true, force: true });
      throw error;
    });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

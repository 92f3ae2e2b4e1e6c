import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Config } from '../config/env';
import { shopConfigOf } from '../services/shop-config.service';

/**
 * The storefront: the page at `/` and its files under `/storefront/`, read once at start-up from `public/`
 * beside this module (src/storefront/public from source, dist/storefront/public after `npm run build`).
 * Only the files found there are served, looked up by exact path: a request never reaches the file system.
 * Every other request goes straight on, so the API is untouched.
 */

export const PUBLIC_DIR = path.join(__dirname, 'public');

const CONTENT_TYPES: Record<string, string | undefined> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/**
 * What the page needs to know before its first request, written into its `<meta name="shop-config">`: the
 * payment mode, for its banner. It is derived from the same shop config as GET /api/config, which the payment
 * panel reads for the rest (the publishable key and Stripe.js's URL), as a separate front end would.
 */
export interface PageSettings {
  /** `simulated`: no Stripe account, test cards only; `test`/`live`: the Stripe key's mode. */
  paymentMode: 'simulated' | 'test' | 'live';
}

export function pageSettings(config: Config): PageSettings {
  const { payments } = shopConfigOf(config);
  return { paymentMode: payments.mode === 'simulated' ? 'simulated' : payments.livemode ? 'live' : 'test' };
}

/**
 * The pages' Content-Security-Policy: our own scripts, styles, images and API, nothing inline, and in Stripe
 * mode Stripe.js's origin (from STRIPE_JS_URL) for scripts, frames and requests. On Stripe's own host the
 * companions Stripe documents are added: its other js.stripe.com hosts, hooks.stripe.com (3-D Secure frames)
 * and api.stripe.com. In simulated mode nothing of Stripe is allowed: the page loads none of it.
 */
export function contentSecurityPolicy(config: Config): string {
  const stripe =
    pageSettings(config).paymentMode === 'simulated' ? undefined : new URL(config.storefront.stripeJsUrl).origin;
  const onStripe = stripe === 'https://js.stripe.com';
  const sources = (...list: Array<string | false | undefined>) =>
    list.filter((s): s is string => typeof s === 'string' && s !== '').join(' ');
  const directives: Record<string, string> = {
    'default-src': "'none'",
    'script-src': sources("'self'", stripe, onStripe && 'https://*.js.stripe.com'),
    'style-src': "'self'",
    'img-src': "'self'",
    'connect-src': sources("'self'", onStripe ? 'https://api.stripe.com' : stripe),
    'frame-src':
      sources(stripe, onStripe && 'https://*.js.stripe.com', onStripe && 'https://hooks.stripe.com') || "'none'",
    'base-uri': "'none'",
    'form-action': "'none'",
    'frame-ancestors': "'none'",
  };
  return Object.entries(directives)
    .map(([name, value]) => `${name} ${value}`)
    .join('; ');
}

interface StoredFile {
  type: string;
  body: Buffer;
  etag: string;
}

/** Every servable file under `dir`, keyed by its URL path below /storefront/. */
function readPublicFiles(dir: string): Map<string, StoredFile> {
  const files = new Map<string, StoredFile>();
  const walk = (relative: string) => {
    for (const entry of readdirSync(path.join(dir, relative), { withFileTypes: true })) {
      const name = path.posix.join(relative, entry.name);
      if (entry.isDirectory()) walk(name);
      const type = CONTENT_TYPES[path.extname(entry.name)];
      if (!entry.isFile() || !type) continue;
      files.set(`/storefront/${name}`, stored(type, readFileSync(path.join(dir, name))));
    }
  };
  walk('');
  return files;
}

function stored(type: string, body: Buffer): StoredFile {
  return { type, body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
}

/** JSON for an HTML attribute value: the five characters that could end or escape it are entities. */
function attributeJson(value: unknown): string {
  const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
  return JSON.stringify(value).replace(/[&<>"']/g, (c) => entities[c]!);
}

/**
 * The storefront's handler, for the app's middleware series: GET and HEAD of `/` and of the files under
 * `/storefront/`; anything else calls next() at the cost of two string comparisons. The files are revalidated
 * on every use (no-cache with an ETag: a 304 costs no body) since their names carry no version.
 */
export function storefront(config: Config, dir = PUBLIC_DIR): RequestHandler {
  if (!existsSync(path.join(dir, 'index.html'))) {
    throw new Error(`The storefront's files are missing from ${dir}: run \`npm run build\`, or set STOREFRONT=off`);
  }
  const files = readPublicFiles(dir);
  const template = files.get('/storefront/index.html')!.body.toString('utf8');
  const html = template.replace('content="{}"', `content="${attributeJson(pageSettings(config))}"`);
  if (html === template)
    throw new Error('src/storefront/public/index.html lacks its <meta name="shop-config" content="{}">');
  files.delete('/storefront/index.html');
  const page = stored(CONTENT_TYPES['.html']!, Buffer.from(html));
  const csp = contentSecurityPolicy(config);

  return (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const file = req.path === '/' ? page : req.path.startsWith('/storefront/') ? files.get(req.path) : undefined;
    if (!file) return next();
    if (file === page) res.setHeader('Content-Security-Policy', csp);
    res.setHeader('Cache-Control', 'no-cache');
    res.setHeader('ETag', file.etag);
    res.type(file.type).send(file.body);
  };
}

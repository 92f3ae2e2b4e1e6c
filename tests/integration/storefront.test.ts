import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { PUBLIC_DIR, storefront } from '../../src/storefront/serve';
import { buildTestApp, testConfig } from '../helpers/app';
import { useTestDatabase } from '../helpers/db';

/** The storefront as served: the page, its files, its Content-Security-Policy and what it leaves alone. */
useTestDatabase();
const app = buildTestApp();

const SIMULATED_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; frame-src 'none'; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Every file under public/ with its path as served. */
function publicFiles(dir = PUBLIC_DIR, prefix = '/storefront'): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? publicFiles(path.join(dir, entry.name), `${prefix}/${entry.name}`)
      : [`${prefix}/${entry.name}`],
  );
}

const directives = (csp: string) =>
  new Map(csp.split(/;\s*/).map((d) => [d.split(' ')[0], d.split(' ').slice(1).join(' ')]));

describe('GET /', () => {
  it('when the page is asked for, then it is HTML under a policy that allows only this origin and nothing inline', async () => {
    const res = await request(app).get('/').expect(200);

    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toBe(SIMULATED_CSP);
    expect(res.headers['content-security-policy']).not.toMatch(/unsafe|data:|\*/);
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.text).toContain('<meta name="shop-config" content="{&quot;paymentMode&quot;:&quot;simulated&quot;}" />');
  });

  it('when its markup is read, then it has no inline script, style or event handler, only files of its own', async () => {
    const html = (await request(app).get('/').expect(200)).text;

    expect(html.match(/<script\b(?![^>]*\bsrc=)[^>]*>/g)).toBeNull();
    expect(html.match(/<style\b|\sstyle=/g)).toBeNull();
    expect(html.match(/\son[a-z]+=/gi)).toBeNull();
    const references = [...html.matchAll(/(?:src|href)="(\/[^"]*)"/g)].map((m) => m[1]!);
    expect(references.filter((r) => !r.startsWith('/storefront/') && r !== '/api/docs')).toEqual([]);
    for (const reference of references.filter((r) => r.startsWith('/storefront/')))
      await request(app).get(reference).expect(200);
  });

  it('when asked again with its ETag, then the answer is 304 without a body; HEAD has the headers and no body', async () => {
    const first = await request(app).get('/').expect(200);

    const again = await request(app)
      .get('/')
      .set('If-None-Match', first.headers.etag as string)
      .expect(304);
    const head = await request(app).head('/').expect(200);

    expect(again.text).toBe('');
    expect(head.headers['content-security-policy']).toBe(SIMULATED_CSP);
    expect(head.text).toBeUndefined();
  });

  it('when another method is used, then it is the JSON 404 of an unknown route', async () => {
    const res = await request(app).post('/').send({}).expect(404);

    expect(res.body).toMatchObject({ code: 'ROUTE_NOT_FOUND' });
  });
});

describe('GET /storefront/*', () => {
  it('when each file of the storefront is asked for, then it comes with its type and revalidation headers', async () => {
    const types: Record<string, string> = {
      '.js': 'text/javascript; charset=utf-8',
      '.css': 'text/css; charset=utf-8',
      '.svg': 'image/svg+xml',
    };
    const files = publicFiles().filter((file) => !file.endsWith('/index.html'));
    expect(files).toEqual(
      expect.arrayContaining(['/storefront/app.css', '/storefront/js/main.js', '/storefront/js/views/orders.js']),
    );

    for (const file of files) {
      const res = await request(app).get(file);
      expect([file, res.status, res.headers['content-type'], res.headers['cache-control']]).toEqual([
        file,
        200,
        types[path.extname(file)],
        'no-cache',
      ]);
      expect(res.headers.etag).toMatch(/^"[\w-]{27}"$/);
    }
  });

  it('when a module imports another, then the import names a file that is served, and the page preloads every module', async () => {
    const modules = publicFiles().filter((file) => file.endsWith('.js'));
    const problems: string[] = [];
    const imported = new Set<string>();
    for (const file of modules) {
      const source = readFileSync(path.join(PUBLIC_DIR, file.replace('/storefront/', '')), 'utf8');
      for (const [, specifier] of source.matchAll(/^import [^'"]*'([^']+)';$/gm)) {
        const target = path.posix.join(path.posix.dirname(file), specifier!);
        if (!specifier!.startsWith('.') || !modules.includes(target)) problems.push(`${file} imports ${specifier}`);
        imported.add(target);
      }
    }
    const html = (await request(app).get('/').expect(200)).text;
    const preloaded = [...html.matchAll(/<link rel="modulepreload" href="([^"]+)"/g)].map((m) => m[1]);

    expect(problems).toEqual([]);
    expect(imported.size).toBeGreaterThan(5);
    expect(new Set(preloaded)).toEqual(imported);
    expect(html).toContain('<script type="module" src="/storefront/js/main.js"></script>');
  });

  it('when a path is not one of its files (traversal, the page itself, sources beside it), then it is the JSON 404', async () => {
    for (const asset of [
      '/storefront/nope.js',
      '/storefront/index.html',
      '/storefront/../package.json',
      '/storefront/%2e%2e/serve.ts',
      '/storefront/tsconfig.json',
      '/storefront/js',
      '/storefront/',
    ]) {
      const res = await request(app).get(asset);
      expect([asset, res.status, res.body.code]).toEqual([asset, 404, 'ROUTE_NOT_FOUND']);
    }
  });
});

describe('STOREFRONT and the payment mode', () => {
  it('when STOREFRONT=off, then / and its files are unknown routes and the API answers as before', async () => {
    const off = buildTestApp({ env: { STOREFRONT: 'off' } });

    expect((await request(off).get('/').expect(404)).body.code).toBe('ROUTE_NOT_FOUND');
    await request(off).get('/storefront/app.css').expect(404);
    await request(off).get('/api/products').expect(200);
  });

  it('when a Stripe test key is set, then the policy adds Stripe.js, its frames and its API, and the page says test mode', async () => {
    const stripe = buildTestApp({ env: { STRIPE_SECRET_KEY: 'sk_test_123' } });

    const res = await request(stripe).get('/').expect(200);

    const csp = directives(res.headers['content-security-policy'] as string);
    expect(csp.get('script-src')).toBe("'self' https://js.stripe.com https://*.js.stripe.com");
    expect(csp.get('frame-src')).toBe('https://js.stripe.com https://*.js.stripe.com https://hooks.stripe.com');
    expect(csp.get('connect-src')).toBe("'self' https://api.stripe.com");
    expect(csp.get('style-src')).toBe("'self'");
    expect(res.text).toContain('{&quot;paymentMode&quot;:&quot;test&quot;}');
  });

  it("when STRIPE_JS_URL names localstripe's stand-in, then its origin alone is allowed for scripts, frames and requests", async () => {
    const local = buildTestApp({
      env: { STRIPE_SECRET_KEY: 'sk_test_123', STRIPE_JS_URL: 'http://127.0.0.1:8420/js.stripe.com/v3/' },
    });

    const csp = directives((await request(local).get('/').expect(200)).headers['content-security-policy'] as string);

    expect(csp.get('script-src')).toBe("'self' http://127.0.0.1:8420");
    expect(csp.get('frame-src')).toBe('http://127.0.0.1:8420');
    expect(csp.get('connect-src')).toBe("'self' http://127.0.0.1:8420");
  });

  it('when a live key is set, then the page says live mode', async () => {
    const live = buildTestApp({ env: { STRIPE_SECRET_KEY: 'sk_live_123' } });

    expect((await request(live).get('/').expect(200)).text).toContain('{&quot;paymentMode&quot;:&quot;live&quot;}');
  });

  it('when API answers are read, then they keep their own headers (no page policy, no-store where private)', async () => {
    const page = await request(app).get('/').expect(200);
    const products = await request(app).get('/api/products').expect(200);
    const orders = await request(app).get('/api/orders').expect(401);

    expect(products.headers['content-security-policy']).not.toBe(page.headers['content-security-policy']);
    expect(products.headers['content-security-policy']).toMatch(/^default-src 'self'/);
    expect(orders.headers['cache-control']).toBe('no-store');
  });

  it("when the storefront's files are missing (a dist/ built without them), then building the app fails and says how to fix it", () => {
    expect(() => storefront(testConfig(), path.join(PUBLIC_DIR, 'missing'))).toThrow(
      /storefront's files are missing .*npm run build.*STOREFRONT=off/,
    );
  });
});

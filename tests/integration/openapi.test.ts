import { validate as validateOpenApi, compileErrors } from '@readme/openapi-parser';
import request, { type Response } from 'supertest';
import { isDocumented } from '../../src/routes/operation';
import { routeTable } from '../../src/routes';
import { buildTestApp } from '../helpers/app';
import { adminToken, createOrder, createProduct, registerAndLogin } from '../helpers/builders';
import { useTestDatabase } from '../helpers/db';
import {
  documentedRoutes,
  registeredRoutes,
  responseProblems,
  schemaValidator,
  type OpenApiDoc,
} from '../helpers/openapi';
import { deliver, intentFor, stripeEvent } from '../helpers/webhooks';

useTestDatabase();
// With a METRICS_TOKEN, so that GET /metrics (registered only then) is walked and checked too.
const app = buildTestApp({ env: { METRICS_TOKEN: 'openapi-test-metrics-token' } });

/** Served on purpose without an operation of their own (the static files of the /api/docs page): the table says so. */
const NOT_OPERATIONS = new Set(
  routeTable.filter((route) => !isDocumented(route)).map((route) => `${route.method.toUpperCase()} ${route.path}`),
);

let doc: OpenApiDoc;
let validator: ReturnType<typeof schemaValidator>;
beforeAll(async () => {
  doc = (
    await request(app)
      .get('/api/openapi.json')
      .expect(200)
      .expect('Content-Type', /application\/json/)
  ).body as OpenApiDoc;
  validator = schemaValidator(doc);
});

describe('GET /api/openapi.json', () => {
  it('when it is validated with @readme/openapi-parser, then it is a valid OpenAPI 3.1 document', async () => {
    const result = await validateOpenApi(structuredClone(doc) as never);

    expect(result.valid ? 'valid' : compileErrors(result)).toBe('valid');
    expect(result.warnings).toEqual([]);
    expect((doc as unknown as { openapi: string }).openapi).toMatch(/^3\.1\.\d+$/);
  });

  it('when the router of createApp is walked, then every registered route is documented and every documented route is registered', () => {
    const registered = registeredRoutes(app).filter((route) => !NOT_OPERATIONS.has(route));
    const documented = documentedRoutes(doc);

    // Every route is an entry of the table (src/routes): one without an OpenAPI operation must say `documented: false`.
    expect({ undocumented: registered.filter((r) => !documented.includes(r)) }).toEqual({ undocumented: [] });
    expect({ notRegistered: documented.filter((r) => !registered.includes(r)) }).toEqual({ notRegistered: [] });
    expect(registered).toEqual(
      expect.arrayContaining([
        'POST /api/orders/create',
        'GET /api/products/{id}',
        'POST /api/orders/webhook',
        'GET /health',
      ]),
    );
  });

  it('when every example in it is validated against its schema (ajv, JSON Schema 2020-12), then each one conforms', () => {
    const checked: string[] = [];
    const problems: string[] = [];
    const isSchema = (node: Record<string, unknown>) =>
      ['type', '$ref', 'const', 'enum', 'anyOf', 'oneOf', 'allOf'].some((key) => key in node);
    const walk = (node: unknown, where: string) => {
      if (Array.isArray(node)) return node.forEach((item, i) => walk(item, `${where}/${i}`));
      if (!node || typeof node !== 'object') return;
      const object = node as Record<string, unknown>;
      if ('example' in object) {
        const schema =
          object.schema && typeof object.schema === 'object' ? object.schema : isSchema(object) ? object : undefined;
        if (schema) {
          checked.push(where);
          problems.push(...validator.problems(schema, object.example).map((p) => `${where}: ${p}`));
        }
      }
      // Named examples of a media type or parameter: { examples: { name: { value } } } beside its schema.
      if (
        object.examples &&
        typeof object.examples === 'object' &&
        !Array.isArray(object.examples) &&
        object.schema &&
        typeof object.schema === 'object'
      ) {
        for (const [name, named] of Object.entries(object.examples as Record<string, { value?: unknown }>)) {
          checked.push(`${where}/examples/${name}`);
          problems.push(
            ...validator.problems(object.schema, named.value).map((p) => `${where}/examples/${name}: ${p}`),
          );
        }
      }
      for (const [key, value] of Object.entries(object))
        if (key !== 'example' && key !== 'examples') walk(value, `${where}/${key}`);
    };

    walk(doc, '#');

    expect(problems).toEqual([]);
    // Request and response examples of every operation that has a body, and the schemas' own examples.
    expect(checked.filter((where) => where.includes('/requestBody/')).length).toBeGreaterThanOrEqual(7);
    expect(checked.filter((where) => /\/responses\/20\d\/content\//.test(where)).length).toBeGreaterThanOrEqual(14);
    expect(
      checked.filter((where) => /\/responses\/[45]\d\d\/content\/application\/json\/examples\//.test(where)).length,
    ).toBeGreaterThan(80);
    expect(checked.length).toBeGreaterThan(120);
  });

  it('when an operation can fail, then each of its error statuses has the common error body with the codes it can give', () => {
    const create = doc.paths['/api/orders/create']!.post!.responses as Record<
      string,
      { content: { 'application/json': { schema: { properties: { code: { enum: string[] } } } } } }
    >;
    const codes = (status: string) => create[status]!.content['application/json'].schema.properties.code.enum;

    expect(Object.keys(create).sort()).toEqual([
      '201',
      '400',
      '401',
      '403',
      '404',
      '409',
      '413',
      '415',
      '422',
      '429',
      '502',
      '503',
    ]);
    expect(codes('409')).toEqual(['OUT_OF_STOCK', 'STOCK_BUSY', 'OPEN_ORDER_LIMIT', 'IDEMPOTENCY_KEY_IN_USE']);
    // The verifiedEmail guard's refusal (REQUIRE_VERIFIED_EMAIL_TO_ORDER=on).
    expect(codes('403')).toEqual(['EMAIL_NOT_VERIFIED']);
    expect(codes('400')).toEqual(
      expect.arrayContaining(['VALIDATION_ERROR', 'MALFORMED_JSON', 'MIXED_CURRENCY', 'AMOUNT_OUT_OF_RANGE']),
    );
    expect(Object.keys(doc.paths['/api/orders/{id}/pay']!.post!.responses)).toEqual(
      expect.arrayContaining(['402', '403', '409', '502']),
    );
    expect(Object.keys(doc.paths['/api/products/{id}']!.delete!.responses)).toEqual(
      expect.arrayContaining(['401', '403', '404']),
    );
  });

  it('when its operations are read, then each has a summary, a tag and a described parameter for every path, query and header input', () => {
    const undescribed: string[] = [];
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(
        item as Record<
          string,
          { summary?: string; tags?: string[]; parameters?: Array<{ name: string; description?: string }> }
        >,
      )) {
        if (!operation.summary || !operation.tags?.length) undescribed.push(`${method} ${path}`);
        for (const parameter of operation.parameters ?? [])
          if (!parameter.description) undescribed.push(`${method} ${path} ${parameter.name}`);
      }
    }

    expect(undescribed).toEqual([]);
  });

  it('when the docs are fetched many times without a token, then they are neither refused nor rate-limited', async () => {
    const limited = buildTestApp({ env: { API_RATE_LIMIT_MAX: '2' } });

    for (let i = 0; i < 5; i += 1) {
      await request(limited).get('/api/openapi.json').expect(200);
      await request(limited).get('/api/docs').expect(200);
    }
    await request(limited).get('/api/products').expect(200);
    await request(limited).get('/api/products').expect(200);
    await request(limited).get('/api/products').expect(429);
  });
});

describe('GET /api/docs', () => {
  it('when requested, then it serves Swagger UI from the installed package under a CSP that allows only this origin', async () => {
    const page = await request(app)
      .get('/api/docs')
      .expect(200)
      .expect('Content-Type', /text\/html/);
    const csp = page.headers['content-security-policy'] as string;

    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
    expect(page.text).not.toMatch(/<script>|https?:\/\//); // no inline script, nothing from another origin
    for (const asset of page.text.match(/\/api\/docs\/[\w.-]+/g) ?? []) await request(app).get(asset).expect(200);
    await request(app).get('/api/docs/package.json').expect(404);
    await request(app).get('/api/docs/index.html').expect(404);
  });
});

describe('real responses against the document', () => {
  const problems: string[] = [];
  const check = (res: Response) => {
    problems.push(...responseProblems(doc, validator, res));
    return res;
  };

  it('when the contract flows and their refusals run, then every response has a documented status, media type and body', async () => {
    check(await request(app).get('/health'));
    check(await request(app).get('/ready'));
    check(await request(app).get('/api/docs'));

    // Auth
    const buyer = await registerAndLogin(app);
    check(
      await request(app)
        .post('/api/registration')
        .send({ name: 'Jane Doe', email: `jane.${Date.now()}@example.com`, password: 'password123' }),
    );
    check(
      await request(app)
        .post('/api/registration')
        .send({ name: 'Jane Doe', email: buyer.email, password: 'password123' }),
    );
    check(await request(app).post('/api/registration').send({ name: '', email: 'not-an-email', password: 'short' }));
    check(await request(app).post('/api/registration').set('Content-Type', 'application/json').send('{"name":'));
    check(await request(app).post('/api/registration').set('Content-Type', 'text/plain').send('name=x'));
    check(await request(app).post('/api/login').send({ email: buyer.email, password: buyer.password }));
    check(await request(app).post('/api/login').send({ email: buyer.email, password: 'wrong-password' }));
    check(await request(app).get('/api/profile').set('Authorization', buyer.token));
    check(await request(app).get('/api/profile'));
    check(await request(app).get('/api/profile').set('Authorization', 'Bearer not.a.token'));

    // Products
    const admin = await adminToken(app);
    const product = await createProduct(app, admin, { price: 25.99, stock: 3 });
    check(
      await request(app)
        .post('/api/products')
        .set('Authorization', admin)
        .send({ name: 'Desk Lamp', description: 'Bright.', price: 19.5, currency: 'eur', stock: 4 }),
    );
    check(
      await request(app)
        .post('/api/products')
        .set('Authorization', admin)
        .send({ name: 'Desk Lamp', description: 'Bright.', price: 19.555, currency: 'EUR', stock: 4 }),
    );
    check(await request(app).post('/api/products').set('Authorization', buyer.token).send({ name: 'x' }));
    check(await request(app).get('/api/products?limit=1'));
    check(await request(app).get('/api/products?price[$gt]=0'));
    check(await request(app).get('/api/products?cursor=bm90LWEtY3Vyc29y'));
    check(await request(app).get(`/api/products/${product.id}`));
    check(await request(app).get('/api/products/665f1d0a8b3a4d0012ab0000'));
    check(await request(app).get('/api/products/not-an-id'));
    check(await request(app).patch(`/api/products/${product.id}`).set('Authorization', admin).send({ stock: 3 }));
    check(await request(app).patch(`/api/products/${product.id}`).set('Authorization', admin).send({}));

    // Orders and payments
    const order = await createOrder(app, buyer.token, [{ productId: product.id, quantity: 1 }]);
    check(
      await request(app)
        .post('/api/orders/create')
        .set('Authorization', buyer.token)
        .set('Idempotency-Key', 'k-1')
        .send({ items: [{ productId: product.id, quantity: 1 }] }),
    );
    check(
      await request(app)
        .post('/api/orders/create')
        .set('Authorization', buyer.token)
        .set('Idempotency-Key', 'k-1')
        .send({ items: [{ productId: product.id, quantity: 1 }] }),
    );
    check(
      await request(app)
        .post('/api/orders/create')
        .set('Authorization', buyer.token)
        .set('Idempotency-Key', 'k-1')
        .send({ items: [{ productId: product.id, quantity: 2 }] }),
    );
    check(
      await request(app)
        .post('/api/orders/create')
        .set('Authorization', buyer.token)
        .send({ items: [{ productId: product.id, quantity: 50 }] }),
    );
    check(await request(app).post('/api/orders/create').set('Authorization', buyer.token).send({ items: [] }));
    check(await request(app).get('/api/orders?limit=1').set('Authorization', buyer.token));
    check(await request(app).get(`/api/orders/${order.orderId}`).set('Authorization', buyer.token));
    check(await request(app).get('/api/orders/665f1e4b8b3a4d0012ab0000').set('Authorization', buyer.token));
    const declined = await request(app)
      .post(`/api/orders/${order.orderId}/pay`)
      .set('Authorization', buyer.token)
      .send({ paymentMethod: 'pm_card_chargeCustomerFail' });
    check(declined);
    check(
      await request(app)
        .post(`/api/orders/${order.orderId}/pay`)
        .set('Authorization', admin)
        .send({ paymentMethod: 'pm_card_visa' }),
    );
    check(
      await request(app)
        .post(`/api/orders/${order.orderId}/pay`)
        .set('Authorization', buyer.token)
        .send({ paymentMethod: 'pm_card_visa' }),
    );
    check(
      await deliver(
        app,
        stripeEvent(
          'payment_intent.succeeded',
          intentFor({
            id: order.orderId,
            paymentIntentId: order.data.paymentIntentId,
            amount: order.data.amount,
            currency: order.data.currency,
          }),
        ),
      ),
    );
    check(
      await request(app)
        .post('/api/orders/webhook')
        .set('Content-Type', 'application/json')
        .set('Stripe-Signature', 't=1,v1=00')
        .send('{}'),
    );
    check(await request(app).post(`/api/orders/${order.orderId}/cancel`).set('Authorization', buyer.token));
    const second = await createOrder(app, buyer.token, [{ productId: product.id, quantity: 1 }]);
    check(await request(app).post(`/api/orders/${second.orderId}/cancel`).set('Authorization', buyer.token));
    check(await request(app).delete(`/api/products/${product.id}`).set('Authorization', admin));
    check(await request(app).delete(`/api/products/${product.id}`).set('Authorization', admin));

    expect(declined.status).toBe(402);
    expect(declined.body.details).toEqual([
      {
        message: expect.any(String),
        declineCode: 'generic_decline',
        orderId: order.orderId,
        paymentIntentId: order.data.paymentIntentId,
      },
    ]);
    expect(problems).toEqual([]);
  });
});

describe('methods a documented path does not take', () => {
  it.each([
    ['TRACE', '/api/products', 'POST, GET, HEAD'],
    ['PUT', '/api/products/665f1d0a8b3a4d0012ab34d1', 'GET, PATCH, DELETE, HEAD'],
    ['GET', '/api/orders/create', 'POST'],
    ['GET', '/api/orders/webhook', 'POST'],
    ['DELETE', '/health', 'GET, HEAD'],
  ])('when %s %s is sent, then 405 METHOD_NOT_ALLOWED with Allow: %s', async (method, path, allow) => {
    const res = await request(app)[method.toLowerCase() as 'get'](path).set('Authorization', 'Bearer not.checked.here');

    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe(allow);
    expect(res.body).toEqual({
      message: expect.stringContaining(method),
      code: 'METHOD_NOT_ALLOWED',
      requestId: expect.any(String),
    });
  });

  it('when OPTIONS is sent without CORS preflight headers, then 204 with the Allow header and no route runs', async () => {
    const res = await request(app).options('/api/orders/create');

    expect(res.status).toBe(204);
    expect(res.headers.allow).toBe('POST');
  });

  it('when HEAD is sent for a GET route, or an unknown path is requested, then they are routed as before', async () => {
    await request(app).head('/health').expect(200);
    await request(app).put('/api/nothing-here').expect(404);
  });
});

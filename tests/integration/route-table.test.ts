import type { Request, Response } from 'express';
import request from 'supertest';
import { z } from 'zod';
import { currentUser } from '../../src/middleware/authenticate';
import { parsedRequest } from '../../src/middleware/validate';
import { routeTable } from '../../src/routes';
import type { ApiOperation, RouteEntry } from '../../src/routes/operation';
import { buildTestApp } from '../helpers/app';
import { registerAndLogin } from '../helpers/builders';
import { useTestDatabase } from '../helpers/db';
import { documentedRoutes, registeredRoutes, type OpenApiDoc } from '../helpers/openapi';

/**
 * Adding an endpoint is one entry of the route table (src/routes): these two throwaway operations are
 * declared here, in the test, and nothing else is touched. The app serves them with everything their
 * fields say, and documents them.
 */
useTestDatabase();

const widgetRequest = { params: z.object({ id: z.string().min(3) }) };

/** A private operation: a user's JWT, its database, the flood guard, no-store. */
const getWidget: ApiOperation = {
  method: 'get',
  path: '/api/widgets/{id}',
  operationId: 'getWidget',
  tag: 'Products',
  summary: 'A throwaway widget of the caller',
  access: 'user',
  request: widgetRequest,
  parameterDescriptions: { id: "The widget's id" },
  handler: () => (_req: Request, res: Response) => {
    const { params } = parsedRequest(res, widgetRequest);
    res.json({ id: params.id, owner: currentUser(res).email });
  },
  responses: { 200: { description: 'The widget', schema: z.object({ id: z.string(), owner: z.string() }) } },
};

/** A public operation that needs neither the database nor the flood guard. */
const listGadgets: ApiOperation = {
  method: 'get',
  path: '/api/gadgets',
  operationId: 'listGadgets',
  tag: 'System',
  summary: 'Throwaway gadgets, static',
  access: 'public',
  usesDatabase: false,
  rateLimited: false,
  handler: () => (_req: Request, res: Response) => {
    res.json({ gadgets: ['a', 'b'] });
  },
  responses: { 200: { description: 'The gadgets', schema: z.object({ gadgets: z.array(z.string()) }) } },
};

/** The widget behind a guard that a setting turns on (REQUIRE_VERIFIED_EMAIL_TO_ORDER's `verifiedEmail`). */
const getGuardedWidget: ApiOperation = {
  ...getWidget,
  path: '/api/widgets/{id}/guarded',
  operationId: 'getGuardedWidget',
  guards: ['verifiedEmail'],
  errors: ['EMAIL_NOT_VERIFIED'],
};

const routes: RouteEntry[] = [...routeTable, getWidget, listGadgets, getGuardedWidget];
const appWith = (options: { available?: boolean; env?: Record<string, string> } = {}) =>
  buildTestApp({ env: options.env, deps: { routes, isDatabaseAvailable: () => options.available ?? true } });

let token: string;
let email: string;
// Each test starts with empty collections: a fresh account each time.
beforeEach(async () => {
  ({ token, email } = await registerAndLogin(buildTestApp()));
});

describe('an operation added to the route table in a test', () => {
  it('when it names a guard, then the guard runs after its access rule and before validation only while its setting is on', async () => {
    const off = appWith();
    const on = appWith({ env: { REQUIRE_VERIFIED_EMAIL_TO_ORDER: 'on' } });

    const unguarded = await request(off).get('/api/widgets/abc/guarded').set('Authorization', token);
    const refused = await request(on).get('/api/widgets/abc/guarded').set('Authorization', token);
    const refusedBeforeValidation = await request(on).get('/api/widgets/ab/guarded').set('Authorization', token);
    const anonymous = await request(on).get('/api/widgets/abc/guarded');

    expect(unguarded.status).toBe(200);
    expect([refused.status, refused.body.code]).toEqual([403, 'EMAIL_NOT_VERIFIED']);
    expect([refusedBeforeValidation.status, refusedBeforeValidation.body.code]).toEqual([403, 'EMAIL_NOT_VERIFIED']);
    expect([anonymous.status, anonymous.body.code]).toEqual([401, 'UNAUTHORIZED']);
  });

  it('when it is called, then it is routed through its access rule and its validation to its handler', async () => {
    const app = appWith();

    const served = await request(app).get('/api/widgets/abc').set('Authorization', token);
    const anonymous = await request(app).get('/api/widgets/abc');
    const invalid = await request(app).get('/api/widgets/ab').set('Authorization', token);
    const gadgets = await request(app).get('/api/gadgets');

    expect(served.status).toBe(200);
    expect(served.body).toEqual({ id: 'abc', owner: email });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.code).toBe('UNAUTHORIZED');
    expect(invalid.status).toBe(400);
    expect(invalid.body.code).toBe('VALIDATION_ERROR');
    expect(gadgets.status).toBe(200);
    expect(gadgets.body).toEqual({ gadgets: ['a', 'b'] });
  });

  it('when the API document is read, then it is documented with the answers its traits imply, and the default document is not', async () => {
    const doc = (await request(appWith()).get('/api/openapi.json').expect(200)).body as OpenApiDoc & {
      paths: Record<
        string,
        Record<string, { operationId: string; security?: unknown; responses: Record<string, unknown> }>
      >;
    };
    const usual = (await request(buildTestApp()).get('/api/openapi.json').expect(200)).body as OpenApiDoc;

    expect(doc.paths['/api/widgets/{id}']!.get).toMatchObject({
      operationId: 'getWidget',
      security: [{ bearerAuth: [] }],
    });
    expect(Object.keys(doc.paths['/api/widgets/{id}']!.get!.responses).sort()).toEqual([
      '200',
      '400',
      '401',
      '429',
      '503',
    ]);
    expect(Object.keys(doc.paths['/api/gadgets']!.get!.responses)).toEqual(['200']);
    expect(documentedRoutes(doc)).toEqual(expect.arrayContaining(['GET /api/widgets/{id}', 'GET /api/gadgets']));
    expect(registeredRoutes(appWith())).toEqual(expect.arrayContaining(['GET /api/widgets/{id}', 'GET /api/gadgets']));
    expect(documentedRoutes(usual)).not.toContain('GET /api/widgets/{id}');
  });

  it('when its path is called with another method, then it answers 405 with Allow (OPTIONS 204), and an unknown path under it 404', async () => {
    const app = appWith();

    const post = await request(app).post('/api/widgets/abc').set('Authorization', token).send({});
    const options = await request(app).options('/api/widgets/abc');
    const deeper = await request(app).get('/api/widgets/abc/def').set('Authorization', token);
    const deeperAnonymous = await request(app).get('/api/widgets/abc/def');

    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
    expect(post.body.code).toBe('METHOD_NOT_ALLOWED');
    expect(options.status).toBe(204);
    expect(options.headers.allow).toBe('GET, HEAD');
    expect([deeper.status, deeper.body.code]).toEqual([404, 'ROUTE_NOT_FOUND']);
    expect([deeperAnonymous.status, deeperAnonymous.body.code]).toEqual([404, 'ROUTE_NOT_FOUND']);
  });

  it('when the database is unreachable, then the operation that uses it answers 503 at once and the one that does not still answers', async () => {
    const app = appWith({ available: false });

    const widget = await request(app).get('/api/widgets/abc').set('Authorization', token);
    const gadgets = await request(app).get('/api/gadgets');

    expect([widget.status, widget.body.code]).toEqual([503, 'DATABASE_UNAVAILABLE']);
    expect(gadgets.status).toBe(200);
  });

  it('when a client passes the flood guard limit, then the rate-limited operation answers 429 and the exempt one does not', async () => {
    const app = appWith({ env: { API_RATE_LIMIT_MAX: '2' } });

    const widgets = [];
    for (let i = 0; i < 3; i += 1)
      widgets.push((await request(app).get('/api/widgets/abc').set('Authorization', token)).status);
    const gadgets = [];
    for (let i = 0; i < 3; i += 1) gadgets.push((await request(app).get('/api/gadgets')).status);

    expect(widgets).toEqual([200, 200, 429]);
    expect(gadgets).toEqual([200, 200, 200]);
  });

  it('when it is private, then every answer under its resource is no-store, and a public one is left to caches', async () => {
    const app = appWith();

    const widget = await request(app).get('/api/widgets/abc').set('Authorization', token);
    const refused = await request(app).get('/api/widgets/abc');
    const unknown = await request(app).get('/api/widgets/abc/def');
    const gadgets = await request(app).get('/api/gadgets');

    expect(widget.headers['cache-control']).toBe('no-store');
    expect(refused.headers['cache-control']).toBe('no-store');
    expect(unknown.headers['cache-control']).toBe('no-store');
    expect(gadgets.headers['cache-control']).toBeUndefined();
  });

  it('when a table declares one method and path twice, then the app refuses to start', () => {
    expect(() => buildTestApp({ deps: { routes: [...routes, { ...listGadgets, operationId: 'again' }] } })).toThrow(
      'GET /api/gadgets is declared twice in the route table',
    );
  });
});

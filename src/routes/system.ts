import { z } from 'zod';
import { healthResponse, readyResponse } from '../schemas/common.schemas';
import type { RouteEntry } from './operation';

export const systemRoutes: RouteEntry[] = [
  {
    method: 'get',
    path: '/health',
    operationId: 'health',
    handler: (c) => c.system.health,
    tag: 'System',
    summary: 'Liveness: the process answers',
    access: 'public',
    rateLimited: false,
    usesDatabase: false,
    responses: { 200: { description: 'The process is up', schema: healthResponse, example: { status: 'ok' } } },
  },
  {
    method: 'get',
    path: '/ready',
    operationId: 'ready',
    handler: (c) => c.system.ready,
    tag: 'System',
    summary: 'Readiness: the database answers',
    access: 'public',
    rateLimited: false,
    usesDatabase: false,
    errors: ['NOT_READY'],
    responses: { 200: { description: 'Ready to serve', schema: readyResponse, example: { status: 'ready' } } },
  },
  {
    method: 'get',
    path: '/api/openapi.json',
    operationId: 'openApiDocument',
    handler: (c) => c.system.openApiDocument,
    tag: 'System',
    summary: 'This API description (OpenAPI 3.1), generated from the zod schemas that validate the requests',
    access: 'public',
    rateLimited: false,
    usesDatabase: false,
    responses: {
      200: { description: 'The OpenAPI document', schema: z.looseObject({ openapi: z.string().startsWith('3.1') }) },
    },
  },
  {
    method: 'get',
    path: '/api/docs',
    operationId: 'apiReference',
    handler: (c) => c.system.docsPage,
    tag: 'System',
    summary: 'Interactive API reference (Swagger UI) for this document',
    access: 'public',
    rateLimited: false,
    usesDatabase: false,
    responses: { 200: { description: 'An HTML page', schema: z.string(), contentType: 'text/html' } },
  },
  {
    method: 'get',
    path: '/api/docs/{asset}',
    documented: false,
    why: "The docs page's script, stylesheet and icon (from the installed swagger-ui-dist): files of that page, not operations of the API",
    handler: (c) => c.system.docsAsset,
    access: 'public',
    rateLimited: false,
    usesDatabase: false,
  },
  {
    method: 'get',
    path: '/metrics',
    operationId: 'metrics',
    handler: (c) => c.system.metrics,
    tag: 'System',
    summary: 'Prometheus metrics (text exposition format), for a scraper holding METRICS_TOKEN',
    description:
      'Exists only when the METRICS_TOKEN setting is set (404 otherwise). Default process metrics, the ' +
      '`http_request_duration_seconds` histogram by method, route template and status, and the shop counters ' +
      '(`shop_orders_created_total`, `shop_payments_total`, `shop_refunds_total`, `shop_webhook_events_total`, `shop_stock_conflicts_total`, ' +
      '`shop_mails_sent_total`, `shop_mails_parked_total`, `shop_mail_attempts_failed_total`, `shop_refresh_token_reuse_total`).',
    access: 'metrics',
    rateLimited: false,
    usesDatabase: false,
    // Without METRICS_TOKEN the route is not registered at all.
    errors: ['ROUTE_NOT_FOUND'],
    responses: {
      200: {
        description: 'The metrics',
        schema: z.string(),
        contentType: 'text/plain; version=0.0.4; charset=utf-8',
        example:
          '# HELP shop_orders_created_total Orders placed (PaymentIntent attached)\n# TYPE shop_orders_created_total counter\nshop_orders_created_total 3\n',
      },
    },
  },
];

import { z } from 'zod';
import { healthResponse, readyResponse } from '../../schemas/common.schemas';
import type { ApiOperation } from '../operation';

export const systemOperations: ApiOperation[] = [
  {
    method: 'get',
    path: '/health',
    operationId: 'health',
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
    tag: 'System',
    summary: 'This API description (OpenAPI 3.1), generated from the zod schemas that validate the requests',
    access: 'public',
    rateLimited: false,
    usesDatabase: false,
    responses: { 200: { description: 'The OpenAPI document', schema: z.looseObject({ openapi: z.string().startsWith('3.1') }) } },
  },
  {
    method: 'get',
    path: '/api/docs',
    operationId: 'apiReference',
    tag: 'System',
    summary: 'Interactive API reference (Swagger UI) for this document',
    access: 'public',
    rateLimited: false,
    usesDatabase: false,
    responses: { 200: { description: 'An HTML page', schema: z.string(), contentType: 'text/html' } },
  },
];

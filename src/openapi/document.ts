import { z } from 'zod';
import {
  createDocument,
  type oas31,
  type ZodOpenApiOperationObject,
  type ZodOpenApiPathsObject,
  type ZodOpenApiResponseObject,
} from 'zod-openapi';
import { ERROR_CODES, type ErrorCode } from '../lib/error-codes';
import { errorBody, errorBodyWith, errorCode } from '../schemas/error.schemas';
import { exampleError } from './examples';
import { apiOperations } from '../routes';
import { isDocumented, traitsOf, type ApiOperation, type RouteEntry } from '../routes/operation';
import { describeRefinements } from './refinements';

/**
 * The OpenAPI 3.1 document, generated with zod-openapi from the zod schemas the routes validate with and
 * the response schemas the controllers' bodies are typed against. Nothing in it is written by hand but
 * prose and examples (which tests/integration/openapi.test.ts validates against the schemas).
 */

const DESCRIPTION = `REST API of the shop: JWT authentication, products, orders and Stripe payments with signed webhooks.

**Authentication.** \`POST /api/login\` returns \`token: "Bearer <JWT>"\`; send it as the \`Authorization\` header. In this page's
*Authorize* dialog paste the JWT **without** the \`Bearer \` prefix. Each login is a session: its access token lives \`expiresIn\`
seconds, and its \`refreshToken\` is exchanged (once) at \`POST /api/token/refresh\` for new ones. A session ends at logout, at a password
change or reset, or when an admin disables or demotes the account; its token then stops working on the next request.

**Errors** always have one shape: \`{ "message": "...", "code": "MACHINE_READABLE", "details": [ ... ], "requestId": "..." }\`. \`details\` is present
only where there is something to list, and is always an array of objects, each with a \`message\`, the request field's \`path\`
when the problem is in one, and fields of its own for some codes (\`OUT_OF_STOCK\`: \`productId\`, \`requested\`, \`available\`;
\`CARD_DECLINED\`: \`declineCode\`, \`orderId\`, \`paymentIntentId\`). Each operation lists the codes it can answer with; the
\`ErrorCode\` schema says what every code means. \`requestId\` is the request's \`X-Request-Id\` (sent back on every response): quote it
when reporting a problem. A refused request changes nothing.

**Bodies** are JSON (\`415\` otherwise, \`400\` when malformed, \`413\` over \`JSON_BODY_LIMIT\`). Unknown routes give a JSON \`404\`
\`ROUTE_NOT_FOUND\`. Requests under \`/api\` are rate-limited per client (\`429\` \`RATE_LIMITED\`), except the webhook and this documentation.`;

const TAGS = [
  {
    name: 'Auth',
    description: 'Registration, login, sessions, the current user, password reset and email verification',
  },
  { name: 'Products', description: 'The catalogue: public reading, admin changes' },
  { name: 'Orders', description: 'Orders, payments and cancellation' },
  {
    name: 'Saved cards',
    description: "A buyer's cards kept at Stripe (a Customer per account) for one-click payments",
  },
  {
    name: 'Storefront',
    description: 'What a browser front end needs to know: the payment mode and the Stripe.js settings',
  },
  { name: 'Admin', description: "Refunds, every buyer's orders, accounts and their audit trail (admins only)" },
  { name: 'Webhooks', description: 'Called by Stripe' },
  { name: 'System', description: 'Health, readiness and this documentation' },
];

/** The codes an operation can answer with because of what it is, whatever it does. */
export function impliedErrorCodes(op: ApiOperation): ErrorCode[] {
  const codes: ErrorCode[] = [];
  const request = op.request ?? {};
  if (request.body && !op.rawBody)
    codes.push('VALIDATION_ERROR', 'MALFORMED_JSON', 'BAD_REQUEST', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE');
  if ((request.query || request.params || request.headers) && !op.rawBody) codes.push('VALIDATION_ERROR');
  // A path parameter with broken percent-encoding cannot be decoded.
  if (op.path.includes('{')) codes.push('BAD_REQUEST');
  if (op.access === 'user' || op.access === 'admin') codes.push('UNAUTHORIZED', 'INVALID_TOKEN');
  if (op.access === 'metrics') codes.push('INVALID_METRICS_TOKEN');
  if (op.access === 'admin') codes.push('FORBIDDEN');
  const traits = traitsOf(op);
  if (traits.rateLimited) codes.push('RATE_LIMITED');
  if (traits.usesDatabase) codes.push('DATABASE_UNAVAILABLE');
  return codes;
}

/** Every code of the operation, in the table's order. */
export function errorCodesOf(op: ApiOperation): ErrorCode[] {
  const codes = new Set([...impliedErrorCodes(op), ...(op.errors ?? [])]);
  return (Object.keys(ERROR_CODES) as ErrorCode[]).filter((code) => codes.has(code));
}

/** One response per error status, its body the common error shape with `code` narrowed to the codes of that status. */
function errorResponses(op: ApiOperation): Record<string, ZodOpenApiResponseObject> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of errorCodesOf(op)) {
    const { status } = ERROR_CODES[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const responses: Record<string, ZodOpenApiResponseObject> = {};
  for (const [status, codes] of [...byStatus].sort(([a], [b]) => a - b)) {
    responses[String(status)] = {
      description: codes.map((code) => `\`${code}\`: ${ERROR_CODES[code].meaning}`).join('. '),
      content: {
        'application/json': {
          schema: errorBodyWith(codes as [ErrorCode, ...ErrorCode[]]),
          examples: Object.fromEntries(codes.map((code) => [code, { summary: code, value: exampleError(code) }])),
        },
      },
    };
  }
  return responses;
}

/** `idempotency-key` as Node hands it to the route, `Idempotency-Key` in the document. */
function documentedHeaders(schema: z.ZodType): z.ZodObject {
  if (!(schema instanceof z.ZodObject)) throw new Error('Header schemas must be z.object()');
  const canonical = (name: string) =>
    name.replace(/(^|-)([a-z])/g, (_m, dash: string, letter: string) => dash + letter.toUpperCase());
  return z.object(Object.fromEntries(Object.entries(schema.shape).map(([name, field]) => [canonical(name), field])));
}

function toOperationObject(op: ApiOperation): ZodOpenApiOperationObject {
  const request = op.request ?? {};
  const operation: ZodOpenApiOperationObject = {
    operationId: op.operationId,
    tags: [op.tag],
    summary: op.summary,
    ...(op.description && { description: op.description }),
    ...((op.access === 'user' || op.access === 'admin') && { security: [{ bearerAuth: [] }] }),
    ...(op.access === 'metrics' && { security: [{ metricsToken: [] }] }),
    requestParams: {
      ...(request.params && { path: request.params as z.ZodObject }),
      ...(request.query && { query: request.query as z.ZodObject }),
      ...(request.headers && { header: documentedHeaders(request.headers) }),
    },
    responses: {},
  };
  if (request.body) {
    operation.requestBody = {
      // validate() reads a missing body as {}: where {} is a valid body (every field optional), the body may be left out.
      required: !request.body.safeParse({}).success,
      content: {
        'application/json': {
          schema: request.body,
          ...(op.requestExample !== undefined && { example: op.requestExample }),
        },
      },
    };
  }
  const responses: Record<string, ZodOpenApiResponseObject> = {};
  for (const [status, response] of Object.entries(op.responses)) {
    responses[status] = {
      description: response.description,
      ...(response.headers && { headers: response.headers }),
      ...(response.links && { links: response.links }),
      content: {
        [response.contentType ?? 'application/json']: {
          schema: response.schema,
          ...(response.example !== undefined && { example: response.example }),
        },
      },
    };
  }
  operation.responses = { ...responses, ...errorResponses(op) };
  return operation;
}

export function buildOpenApiDocument(operations: readonly ApiOperation[] = apiOperations): oas31.OpenAPIObject {
  const paths: ZodOpenApiPathsObject = {};
  for (const op of operations) {
    const item = (paths[op.path] ??= {});
    if (item[op.method]) throw new Error(`${op.method.toUpperCase()} ${op.path} is declared twice`);
    item[op.method] = toOperationObject(op);
  }
  const document = createDocument(
    {
      openapi: '3.1.1',
      info: { title: 'Shop backend API', version: '1.0.0', description: DESCRIPTION },
      tags: TAGS,
      paths,
      components: {
        // The common error body and every code with its meaning; each operation's error responses narrow `code`.
        schemas: { Error: errorBody, ErrorCode: errorCode },
        securitySchemes: {
          bearerAuth: {
            type: 'http',
            scheme: 'bearer',
            bearerFormat: 'JWT',
            description: 'The JWT from POST /api/login (its token without the "Bearer " prefix here)',
          },
          metricsToken: {
            type: 'http',
            scheme: 'bearer',
            description: 'The METRICS_TOKEN setting, for a Prometheus scraper',
          },
        },
      },
    },
    {
      override: (context) => {
        const { jsonSchema, io } = context;
        // A response's timestamps are what isoTimestamp writes; `format: date-time` says so without zod's long regex.
        if (io === 'output' && jsonSchema.format === 'date-time') delete jsonSchema.pattern;
        describeRefinements(context);
      },
    },
  );
  for (const op of operations)
    describeParameters(document.paths?.[op.path]?.[op.method], op.parameterDescriptions ?? {});
  return document;
}

/** Parameter descriptions go on the generated parameter objects, so the request schemas stay as they are. */
function describeParameters(operation: oas31.OperationObject | undefined, descriptions: Record<string, string>) {
  for (const parameter of operation?.parameters ?? []) {
    if ('name' in parameter && descriptions[parameter.name] && !parameter.description)
      parameter.description = descriptions[parameter.name];
  }
}

const built = new WeakMap<readonly RouteEntry[], string>();

/** The document of a route table as JSON, built once per table on first use (a table never changes while it runs). */
export function openApiJson(table: readonly RouteEntry[]): string {
  let json = built.get(table);
  if (json === undefined) built.set(table, (json = JSON.stringify(buildOpenApiDocument(table.filter(isDocumented)))));
  return json;
}

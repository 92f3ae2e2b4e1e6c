import type { z } from 'zod';
import type { ErrorCode } from '../lib/error-codes';
import type { RequestSchemas } from '../middleware/validate';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface SuccessResponse {
  description: string;
  /** The zod schema the controller's body is typed against (`satisfies z.infer<typeof schema>`). */
  schema: z.ZodType;
  example?: unknown;
  /** application/json unless said otherwise. */
  contentType?: string;
  /** Response headers, e.g. Location on a 201. */
  headers?: z.ZodObject;
  /** Operations this answer leads to, with where their parameters come from (OpenAPI links). */
  links?: Record<string, { operationId: string; parameters: Record<string, string>; description?: string }>;
}

/**
 * One route as the API document shows it, declared from the same zod schemas the route validates with.
 * The error responses are derived: `errors` lists the codes particular to this operation, and the codes
 * every operation of its kind can give (validation, auth, rate limit, database) are added from its traits
 * (see impliedErrorCodes in document.ts).
 */
export interface ApiOperation {
  method: HttpMethod;
  /** The OpenAPI path: Express's `:id` is written `{id}`. */
  path: string;
  operationId: string;
  tag: string;
  summary: string;
  description?: string;
  /**
   * Who may call it: sets the security requirement and the 401/403 answers. `metrics` is the scraper
   * holding METRICS_TOKEN (a bearer token of its own, not a user's JWT).
   */
  access: 'public' | 'user' | 'admin' | 'metrics';
  /** The very object the route passes to validate(), so the document and the validation cannot differ. */
  request?: RequestSchemas;
  requestExample?: unknown;
  /** Descriptions of the path, query and header parameters, by their documented name. */
  parameterDescriptions?: Record<string, string>;
  /** The body is read as raw bytes, not by the JSON parser (the webhook): no MALFORMED_JSON or 415 answers. */
  rawBody?: boolean;
  responses: Partial<Record<200 | 201 | 202 | 204, SuccessResponse>>;
  /** Codes this operation can answer with beyond those implied by its traits. */
  errors?: ErrorCode[];
  /** Counted by the `/api` rate limit (default: the path starts with /api/). */
  rateLimited?: boolean;
  /** Needs the database, so answers 503 DATABASE_UNAVAILABLE while it is unreachable (default true). */
  usesDatabase?: boolean;
}

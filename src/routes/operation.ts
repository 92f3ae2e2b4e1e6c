import type { RequestHandler } from 'express';
import type { z } from 'zod';
import type { Controllers } from '../controllers';
import type { ErrorCode } from '../lib/error-codes';
import type { AttemptLimits } from '../middleware/rate-limit';
import type { RequestSchemas } from '../middleware/validate';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/**
 * The API proper lives under this path: a request below it that no operation exempts (an unknown path, a
 * method a path does not take) counts against the per-client flood guard and waits for the database gate.
 */
export const API_ROOT = '/api';

/**
 * Who may call an operation: `public` anyone; `user` a bearer JWT (401 without); `admin` a bearer JWT of an
 * admin (403 for others); `metrics` the scraper holding METRICS_TOKEN (a bearer token of its own, not a
 * user's JWT: without that setting the operation is not served at all).
 */
export type Access = 'public' | 'user' | 'admin' | 'metrics';

/** The attempt limits an operation may take on (counted in MongoDB, shared by every instance). */
export type AttemptLimit = keyof AttemptLimits;

/**
 * Checks a setting may put in front of an operation: `verifiedEmail` refuses an account whose email address is
 * not verified yet (REQUIRE_VERIFIED_EMAIL_TO_ORDER). The app hands the router the ones its settings turn on.
 */
export type Guard = 'verifiedEmail';

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
 * One method on one path as the router serves it. Everything the app does for a request is derived from
 * these fields (see router.ts): the route, its access check, validation, the database gate, the rate limit,
 * `Cache-Control: no-store`, the 405/Allow answers of its path, and (for an ApiOperation) its OpenAPI entry.
 */
export interface Route {
  method: HttpMethod;
  /** The OpenAPI path (`{id}` for a parameter). Its first two segments (`/api/orders`) name its resource. */
  path: string;
  access: Access;
  /**
   * The controller method that answers, picked from the app's controllers: the table can be read (and the
   * API document built) without building a service.
   */
  handler: (controllers: Controllers) => RequestHandler;
  /** The very object validate() parses the request with, so the document and the validation cannot differ. */
  request?: RequestSchemas;
  /** The body is read as raw bytes, not by the JSON parser (the webhook): not validated, no MALFORMED_JSON or 415 answers. */
  rawBody?: boolean;
  /**
   * Checks after the access rule, before the limits and validation, each served only when its setting is on (the
   * router leaves out a guard the app did not hand it, so a setting that is off costs nothing). Its refusals
   * belong in `errors`.
   */
  guards?: Guard[];
  /**
   * Attempt limits of its own. `beforeValidation` ones count every attempt, well-formed or not;
   * `afterValidation` ones are keyed by a validated field (the login's email).
   */
  limits?: { beforeValidation?: AttemptLimit[]; afterValidation?: AttemptLimit[] };
  /** Counted by the per-client flood guard (default: the path is under /api/). */
  rateLimited?: boolean;
  /** Needs the database, so answers 503 DATABASE_UNAVAILABLE at once while it is unreachable (default true). */
  usesDatabase?: boolean;
  /**
   * Served only when the payment gateway answers 3-D Secure itself (the simulated gateway; with Stripe, Stripe.js
   * does): otherwise the path is unknown (404), like /metrics without METRICS_TOKEN.
   */
  onlyWith?: 'simulatedAuthentication';
  /**
   * Its answers carry tokens, client secrets or personal data (default: `user` and `admin` access), so no
   * cache may keep them: every answer under its resource (401s, 404s and 405s included) gets
   * `Cache-Control: no-store`.
   */
  private?: boolean;
}

/**
 * A route as the API document shows it, declared from the same zod schemas the route validates with.
 * The error responses are derived: `errors` lists the codes particular to this operation, and the codes
 * every operation of its kind can give (validation, auth, rate limit, database) are added from its traits
 * (see impliedErrorCodes in openapi/document.ts).
 */
export interface ApiOperation extends Route {
  documented?: true;
  operationId: string;
  tag: string;
  summary: string;
  description?: string;
  requestExample?: unknown;
  /** Descriptions of the path, query and header parameters, by their documented name. */
  parameterDescriptions?: Record<string, string>;
  responses: Partial<Record<200 | 201 | 202 | 204, SuccessResponse>>;
  /** Codes this operation can answer with beyond those implied by its traits. */
  errors?: ErrorCode[];
}

/** A route served but not an operation of the API (the static files of the docs page); it says why. */
export interface UndocumentedRoute extends Route {
  documented: false;
  why: string;
}

export type RouteEntry = ApiOperation | UndocumentedRoute;

export function isDocumented(entry: RouteEntry): entry is ApiOperation {
  return entry.documented !== false;
}

/** The traits an entry may leave out, with their defaults: one place for the router and the API document. */
export function traitsOf(route: Route): { rateLimited: boolean; usesDatabase: boolean; private: boolean } {
  return {
    rateLimited: route.rateLimited ?? route.path.startsWith(`${API_ROOT}/`),
    usesDatabase: route.usesDatabase ?? true,
    private: route.private ?? (route.access === 'user' || route.access === 'admin'),
  };
}

/** `/api/orders` for `/api/orders/{id}/pay`, `/health` for `/health`: the path's first two segments. */
export function resourceOf(path: string): string {
  const segments = path.split('/').slice(1, 3);
  return `/${segments.join('/')}`;
}

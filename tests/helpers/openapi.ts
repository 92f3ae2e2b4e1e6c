import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { Express } from 'express';
import type { Response } from 'supertest';

/** The parts of an OpenAPI 3.1 document these helpers read. */
export interface OpenApiDoc {
  paths: Record<string, Record<string, OperationDoc>>;
  components: { schemas: Record<string, object> };
}
export interface OperationDoc {
  responses: Record<
    string,
    { content?: Record<string, { schema?: object }>; headers?: Record<string, { required?: boolean }> }
  >;
}

/**
 * The routes an Express app registers, as "METHOD /openapi/{path}". Walks the router stack (routers
 * mounted with app.use(path, router) included); a route shape the walker cannot name fails loudly rather
 * than being skipped.
 */
export function registeredRoutes(app: Express): string[] {
  const routes: string[] = [];
  type Layer = {
    route?: { path: unknown; methods: Record<string, boolean> };
    handle?: { stack?: Layer[]; router?: { stack?: Layer[] } };
    rawPath?: unknown;
    name?: string;
  };
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        const paths = Array.isArray(layer.route.path) ? (layer.route.path as unknown[]) : [layer.route.path];
        for (const routePath of paths) {
          if (typeof routePath !== 'string')
            throw new Error(`A route with a non-string path under "${prefix}": declare it by hand`);
          for (const [method, on] of Object.entries(layer.route.methods)) {
            if (!on) continue;
            if (method === '_all') throw new Error(`${prefix}${routePath} uses router.all(): register each method`);
            routes.push(`${method.toUpperCase()} ${toOpenApiPath(joinPaths(prefix, routePath))}`);
          }
        }
        continue;
      }
      const inner = layer.handle?.stack ?? layer.handle?.router?.stack;
      if (!inner) continue; // plain middleware
      if (typeof layer.rawPath !== 'string')
        throw new Error(`Router "${layer.name}" mounted under a non-string path in "${prefix}"`);
      walk(inner, layer.rawPath === '/' ? prefix : joinPaths(prefix, layer.rawPath));
    }
  };
  const root = (app as unknown as { router: { stack: Layer[] } }).router;
  walk(root.stack, '');
  return [...new Set(routes)].sort();
}

function joinPaths(prefix: string, path: string): string {
  const joined = `${prefix.replace(/\/$/, '')}/${path.replace(/^\//, '')}`;
  return joined.length > 1 ? joined.replace(/\/$/, '') : joined;
}

/** Express's `/orders/:id` is OpenAPI's `/orders/{id}`; optional groups and wildcards must be declared by hand. */
export function toOpenApiPath(expressPath: string): string {
  if (/[{}*?()]/.test(expressPath)) throw new Error(`Cannot map ${expressPath} to an OpenAPI path: declare it by hand`);
  return expressPath.replace(/:(\w+)/g, '{$1}');
}

/** The routes the document describes, in the same form. */
export function documentedRoutes(doc: OpenApiDoc): string[] {
  return Object.entries(doc.paths)
    .flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`))
    .sort();
}

/**
 * Validates values against the document's schemas with JSON Schema 2020-12 (OpenAPI 3.1's dialect).
 * `#/components/schemas/X` references are pointed at one shared schema holding the components.
 */
export function schemaValidator(doc: OpenApiDoc) {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  addFormats(ajv);
  ajv.addKeyword('example'); // OpenAPI's annotation: not JSON Schema's, ignored when validating
  const COMPONENTS = 'https://shop.example/components.json';
  const retarget = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(retarget);
    if (value && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value).map(([key, inner]) =>
          key === '$ref' && typeof inner === 'string'
            ? [key, inner.replace('#/components/schemas/', `${COMPONENTS}#/$defs/`)]
            : [key, retarget(inner)],
        ),
      );
    }
    return value;
  };
  ajv.addSchema({ $id: COMPONENTS, $defs: retarget(doc.components.schemas) as object });
  const compiled = new Map<object, ValidateFunction>();
  return {
    /** The problems of `value` against `schema` (a schema object from the document), none when it conforms. */
    problems(schema: object, value: unknown): string[] {
      let validate = compiled.get(schema);
      if (!validate) {
        validate = ajv.compile(retarget(schema) as object);
        compiled.set(schema, validate);
      }
      return validate(value)
        ? []
        : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`);
    },
  };
}

/** The document's operation for a concrete request path, matched against the path templates. */
export function operationFor(
  doc: OpenApiDoc,
  method: string,
  path: string,
): { template: string; operation: OperationDoc } | undefined {
  for (const [template, item] of Object.entries(doc.paths)) {
    const pattern = new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{\w+\}/g, '[^/]+')}$`);
    const operation = item[method.toLowerCase()];
    if (operation && pattern.test(path)) return { template, operation };
  }
  return undefined;
}

/**
 * What is wrong with a real response according to the document: an undocumented status or media type,
 * a missing required header, or a body that does not fit the documented schema. Empty when it conforms.
 */
export function responseProblems(
  doc: OpenApiDoc,
  validator: ReturnType<typeof schemaValidator>,
  res: Response,
): string[] {
  const req = (res as unknown as { req: { method: string; path: string } }).req;
  const path = new URL(req.path, 'http://x').pathname;
  const found = operationFor(doc, req.method, path);
  if (!found) return [`${req.method} ${path} is not in the document`];
  const label = `${req.method} ${found.template} ${res.status}`;
  const documented = found.operation.responses[String(res.status)];
  if (!documented) return [`${label}: status not documented`];
  const problems: string[] = [];
  for (const [name, header] of Object.entries(documented.headers ?? {})) {
    if (header.required && res.headers[name.toLowerCase()] === undefined)
      problems.push(`${label}: required header ${name} missing`);
  }
  const mediaType = String(res.headers['content-type'] ?? '')
    .split(';')[0]!
    .trim();
  const content = documented.content?.[mediaType];
  if (!content) return [...problems, `${label}: media type ${mediaType} not documented`];
  const body = mediaType === 'application/json' ? res.body : res.text;
  if (content.schema) problems.push(...validator.problems(content.schema, body).map((p) => `${label}: ${p}`));
  return problems;
}

import type { NextFunction, Request, Response } from 'express';
import type { z } from 'zod';

/** The parts of a request a route can validate; each is parsed by its zod schema. */
export interface RequestSchemas {
  body?: z.ZodType;
  query?: z.ZodType;
  params?: z.ZodType;
  headers?: z.ZodType;
}

type Output<S> = S extends z.ZodType ? z.output<S> : undefined;
export interface ParsedRequest<S extends RequestSchemas> {
  body: Output<S['body']>;
  query: Output<S['query']>;
  params: Output<S['params']>;
  headers: Output<S['headers']>;
}

/**
 * Parses the request with the route's schemas and keeps the result on res.locals (Express 5's
 * req.query is read-only). A ZodError goes to the error handler as a 400 with field details.
 */
export function validate<S extends RequestSchemas>(schemas: S) {
  return (req: Request, res: Response, next: NextFunction) => {
    res.locals.parsed = {
      body: schemas.body?.parse(req.body ?? {}),
      query: schemas.query?.parse(req.query),
      params: schemas.params?.parse(req.params),
      headers: schemas.headers?.parse(req.headers),
    };
    next();
  };
}

/** What validate(schemas) stored, typed by the same schemas. */
export function parsedRequest<S extends RequestSchemas>(res: Response, _schemas: S): ParsedRequest<S> {
  return res.locals.parsed as ParsedRequest<S>;
}

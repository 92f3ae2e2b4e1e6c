import type { Request, Response } from 'express';
import type { Level, Logger as PinoLogger } from 'pino';
import { pinoHttp } from 'pino-http';
import { elapsedMs, requestIdOf, routeTemplate } from './request-context';

/** Probes and scrapes come every few seconds; their successes are only worth a line at debug level. */
const PROBES = new Set(['/health', '/ready', '/metrics']);

/**
 * One access line per request (pino-http), written when the response finishes or the client goes away:
 * request id, method, route template, URL, status, duration in milliseconds and client address. At debug
 * level the request headers are added; the logger's redaction removes credentials from them.
 */
export function accessLog(logger: PinoLogger) {
  const fields = (req: Request, res: Response) => ({
    requestId: requestIdOf(res),
    method: req.method,
    route: routeTemplate(req),
    url: req.originalUrl,
    status: res.statusCode,
    durationMs: Math.round(elapsedMs(res) * 10) / 10,
    ip: req.ip,
    ...(logger.isLevelEnabled('debug') && { headers: req.headers }),
  });
  const message = (_req: Request, res: Response) => (res.writableEnded ? 'request completed' : 'request aborted');
  return pinoHttp<Request, Response>({
    logger,
    genReqId: (_req, res) => requestIdOf(res) ?? '',
    // The line is built by `fields` alone: pino-http's own req/res objects (every header, every time) stay out.
    wrapSerializers: false,
    serializers: { req: () => undefined, res: () => undefined },
    customLogLevel: (req, res, error): Level => {
      if (error || res.statusCode >= 500) return 'error';
      return PROBES.has(req.path) && res.statusCode < 400 ? 'debug' : 'info';
    },
    customSuccessObject: fields,
    customErrorObject: fields,
    customSuccessMessage: message,
    customErrorMessage: message,
  });
}

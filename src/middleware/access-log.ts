import type { NextFunction, Request, Response } from 'express';
import type { Level, Logger as PinoLogger } from 'pino';
import { clientIp, elapsedMs, requestIdOf, routeTemplate } from './request-context';

/** Probes and scrapes come every few seconds; their successes are only worth a line at debug level. */
const PROBES = new Set(['/health', '/ready', '/metrics']);

/** Called once per request when its response has closed: finished (res.writableFinished) or abandoned. */
export type ResponseObserver = (req: Request, res: Response, failure: unknown) => void;

/**
 * One access line per request, written when the response finishes or the client goes away: request id,
 * method, route template, URL, status, duration in milliseconds and client address. At debug level the
 * request headers are added; the logger's redaction removes credentials from them. Written straight to
 * pino (pino-http, used before, made two child loggers and three listeners per request).
 */
export function accessLog(logger: PinoLogger): ResponseObserver {
  return (req, res, failure) => {
    const level: Level =
      failure !== undefined || res.statusCode >= 500
        ? 'error'
        : PROBES.has(req.path) && res.statusCode < 400
          ? 'debug'
          : 'info';
    if (!logger.isLevelEnabled(level)) return;
    const fields: Record<string, unknown> = {
      requestId: requestIdOf(req),
      method: req.method,
      route: routeTemplate(req),
      url: req.originalUrl,
      status: res.statusCode,
      durationMs: Math.round(elapsedMs(req) * 10) / 10,
      ip: clientIp(req),
    };
    if (logger.isLevelEnabled('debug')) fields.headers = req.headers;
    logger[level](fields, res.writableEnded ? 'request completed' : 'request aborted');
  };
}

/**
 * Runs the observers (access line, latency histogram) once per request, from one `close` listener:
 * `close` follows `finish`, or comes alone when the client went away.
 */
export function observeResponses(observers: ResponseObserver[]) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (observers.length === 0) return next();
    let failure: unknown;
    // `close` comes once per response: plain listeners, without once()'s wrappers and removals.
    res.on('error', (error: unknown) => {
      failure = error;
    });
    res.on('close', () => {
      for (const observe of observers) observe(req, res, failure);
    });
    next();
  };
}

import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Logger } from '../logger';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

declare module 'express-serve-static-core' {
  interface Request {
    id: string;
    log: Logger;
  }
}

/** Request id (X-Request-Id honoured when sane, else generated; echoed back) and one access line per request. */
export function requestLogging(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const given = req.get('x-request-id');
    const id = given && REQUEST_ID.test(given) ? given : randomUUID();
    req.id = id;
    req.log = logger.child({ req_id: id });
    res.setHeader('X-Request-Id', id);
    const started = process.hrtime.bigint();
    // The path only (the query string may hold the webhook token), taken before any router rewrites req.url.
    const path = req.originalUrl.split('?')[0];
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const line = {
        method: req.method,
        route: routeOf(req),
        path,
        status: res.statusCode,
        duration_ms: Math.round(ms * 10) / 10,
        ...(res.locals.errorCode ? { error_code: res.locals.errorCode } : {}),
      };
      if (res.statusCode >= 500) req.log.warn(line, 'request');
      else req.log.info(line, 'request');
    });
    next();
  };
}

/** The route pattern that handled the request (`/v1/batches/:id`), never the raw URL. */
export function routeOf(req: { baseUrl?: string; route?: { path?: unknown } }): string {
  const path = req.route?.path;
  return typeof path === 'string' ? `${req.baseUrl ?? ''}${path}` : 'unmatched';
}

import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import { BatchClientError, type Issue } from '../client';
import type { Logger } from '../logger';

/** An error reply: `{ error: { code, message, issues? } }` with its HTTP status. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues?: Issue[],
  ) {
    super(message);
  }
}

const STATUS_OF_CODE: Record<string, number> = {
  invalid_request: 400,
  invalid_query: 400,
  invalid_idempotency_key: 400,
  not_found: 404,
  idempotency_key_reused: 409,
  already_terminal: 409,
  temporal_unavailable: 503,
};

export function sendError(res: Response, status: number, code: string, message: string, issues?: Issue[]): void {
  res.locals.errorCode = code;
  res.status(status).json({ error: { code, message, ...(issues && issues.length > 0 ? { issues } : {}) } });
}

/** What an error means for the client: an ApiError, a BatchClientError, a body-parser error, or a 500. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof BatchClientError) {
    return new ApiError(STATUS_OF_CODE[err.code] ?? 500, err.code, err.message, err.issues);
  }
  const type = (err as { type?: unknown })?.type;
  if (type === 'entity.too.large') return new ApiError(413, 'payload_too_large', 'the request body is too large');
  if (type === 'request.aborted') return new ApiError(400, 'request_aborted', 'the request body was not received');
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
    return new ApiError(415, 'unsupported_encoding', 'unsupported content encoding or charset');
  }
  const status = (err as { status?: unknown; statusCode?: unknown })?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new ApiError(status, 'bad_request', 'the request could not be read');
  }
  return new ApiError(500, 'internal', 'internal error');
}

/** The last handler: every error leaves as the error shape; only real bugs are 5xx and logged as errors. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const apiError = toApiError(err);
    if (apiError.status >= 500) {
      const log = (req as { log?: Logger }).log ?? logger;
      if (apiError.code === 'internal') log.error({ err }, 'request failed');
      else log.warn({ code: apiError.code, detail: apiError.message }, 'request failed');
    }
    if (res.headersSent) return;
    sendError(res, apiError.status, apiError.code, apiError.message, apiError.issues);
  };
}

export const notFoundHandler: RequestHandler = (req, res) => {
  sendError(res, 404, 'not_found', `no route for ${req.method} ${req.path}`);
};

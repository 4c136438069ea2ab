import express, { type Request, type RequestHandler } from 'express';
import { ApiError } from './errors';

/**
 * Reads the body as raw bytes (any content type, up to `limit`) into `req.body` as a Buffer, so
 * routes can verify signatures over the exact bytes before parsing. Too large → 413.
 */
export function rawBody(limit: number): RequestHandler {
  return express.raw({ type: () => true, limit });
}

/** The raw body of a request read by `rawBody` (empty when there was none). */
export function bodyBytes(req: Request): Buffer {
  return Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
}

/** JSON.parse over the raw bytes; malformed or empty → 400 `invalid_json`. */
export function parseJson(bytes: Buffer): unknown {
  if (bytes.length === 0) throw new ApiError(400, 'invalid_json', 'the request body is empty; expected JSON');
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    // The parser's own message quotes the body: not repeated here, nor logged.
    throw new ApiError(400, 'invalid_json', 'the request body is not valid JSON');
  }
}

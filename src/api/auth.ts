import type { RequestHandler } from 'express';
import { constantTimeEqual } from '../webhook-token';
import { sendError } from './errors';

export interface AuthOptions {
  tokens: readonly string[];
  /** API_AUTH=disabled: every request passes (the process logs a loud warning at start). */
  disabled?: boolean;
}

/** `Authorization: Bearer <token>` against API_TOKENS, compared in constant time against every token. */
export function bearerAuth(options: AuthOptions): RequestHandler {
  const tokens = [...options.tokens];
  return (req, res, next) => {
    if (options.disabled) return next();
    const header = req.get('authorization') ?? '';
    const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
    const given = match?.[1] ?? '';
    // No early exit: the time taken does not depend on which token (if any) matched.
    let ok = false;
    for (const token of tokens) ok = constantTimeEqual(token, given) || ok;
    if (ok && given.length > 0) return next();
    res.setHeader('WWW-Authenticate', 'Bearer realm="bland-batches"');
    sendError(res, 401, 'unauthorized', 'missing or invalid bearer token');
  };
}

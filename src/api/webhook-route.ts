import type { Express, RequestHandler } from 'express';
import { describeIssues, statusEventSchema } from '../bland/schemas';
import type { BatchClient } from '../client';
import { constantTimeEqual, hmacHex, verifyWebhookToken } from '../webhook-token';
import { bodyBytes, parseJson, rawBody } from './body';
import { ApiError, toApiError } from './errors';
import type { ApiMetrics } from './metrics';

export const WEBHOOK_PATH = '/v1/webhooks/bland/:id';

export interface WebhookRouteOptions {
  batches: BatchClient;
  metrics: ApiMetrics;
  /** WEBHOOK_TOKEN_SECRET: the `token` query parameter is HMAC(secret, workflow id). */
  tokenSecret: string;
  /** BLAND_WEBHOOK_SECRET: when set, `X-Webhook-Signature` must match too. */
  signatureSecret?: string;
  bodyLimitBytes: number;
  /** Whole delivery (signal, and describe when it fails) must fit well inside Bland's 10 s. Default 4000. */
  deliveryTimeoutMs?: number;
}

/**
 * Bland's status webhook. Bland sends each event once and never retries, so: authenticate
 * (token, then signature), validate, signal the workflow, and answer 200 only once Temporal has
 * the signal. Bad input is 4xx, never 5xx; only an unreachable Temporal is 503.
 */
export function registerWebhookRoute(app: Express, options: WebhookRouteOptions): void {
  const { batches, metrics } = options;
  const reject = (reason: string) => metrics.webhookRejections.inc({ reason });

  const checkToken: RequestHandler = (req, _res, next) => {
    // Checked before the body is read: an unauthenticated sender gets nothing but a 401.
    if (!verifyWebhookToken(options.tokenSecret, req.params.id as string, req.query.token)) {
      reject('invalid_token');
      throw new ApiError(401, 'invalid_token', 'missing or invalid webhook token');
    }
    next();
  };

  const readBody = rawBody(options.bodyLimitBytes);
  const readBodyCounted: RequestHandler = (req, res, next) =>
    readBody(req, res, (err?: unknown) => {
      if (err) reject(toApiError(err).code);
      next(err);
    });

  app.post(WEBHOOK_PATH, checkToken, readBodyCounted, async (req, res) => {
    const id = req.params.id as string;
    const bytes = bodyBytes(req);
    let parsed: unknown;
    let parseError: unknown;
    try {
      parsed = parseJson(bytes);
    } catch (err) {
      parseError = err;
    }
    if (
      options.signatureSecret &&
      !signatureMatches(options.signatureSecret, req.get('x-webhook-signature'), bytes, parsed, parseError)
    ) {
      reject('invalid_signature');
      throw new ApiError(401, 'invalid_signature', 'missing or invalid X-Webhook-Signature');
    }
    if (parseError) {
      reject('invalid_json');
      throw parseError;
    }
    const event = statusEventSchema.safeParse(parsed);
    if (!event.success) {
      reject('invalid_event');
      throw new ApiError(400, 'invalid_event', 'not a Bland status event', describeIssues(event.error));
    }
    let result: Awaited<ReturnType<BatchClient['deliverStatusEvent']>>;
    try {
      result = await batches.deliverStatusEvent(id, event.data, { timeoutMs: options.deliveryTimeoutMs ?? 4_000 });
    } catch (err) {
      reject(toApiError(err).code);
      throw err;
    }
    if (result.accepted) {
      metrics.signalsSent.inc();
      req.log.info({ workflow_id: id, status: event.data.status }, 'status webhook delivered');
    } else {
      reject(result.reason);
      req.log.info({ workflow_id: id, status: event.data.status }, 'status webhook for a closed batch');
    }
    res.status(200).json(result);
  });
}

/**
 * Bland signs `JSON.stringify(req.body)` in its own example, which is not always the raw bytes:
 * accept an HMAC over either, compared in constant time.
 */
function signatureMatches(
  secret: string,
  header: string | undefined,
  raw: Buffer,
  parsed: unknown,
  parseError: unknown,
): boolean {
  if (!header) return false;
  const given = header
    .trim()
    .replace(/^sha256=/i, '')
    .toLowerCase();
  const overRaw = constantTimeEqual(hmacHex(secret, raw), given);
  const overJson = parseError === undefined && constantTimeEqual(hmacHex(secret, JSON.stringify(parsed)), given);
  return overRaw || overJson;
}

import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The token in the callback URL given to Bland: HMAC-SHA256(secret, workflowId), base64url. It
 * proves that a webhook was addressed by us to that workflow, without storing anything.
 */
export function webhookToken(secret: string, workflowId: string): string {
  return createHmac('sha256', secret).update(`bland-webhook:${workflowId}`).digest('base64url');
}

export function verifyWebhookToken(secret: string, workflowId: string, token: unknown): boolean {
  if (typeof token !== 'string' || token.length === 0) return false;
  return constantTimeEqual(webhookToken(secret, workflowId), token);
}

export function callbackUrl(publicUrl: string, workflowId: string, secret: string): string {
  const base = publicUrl.replace(/\/+$/, '');
  return `${base}/v1/webhooks/bland/${encodeURIComponent(workflowId)}?token=${webhookToken(secret, workflowId)}`;
}

/** Hex HMAC-SHA256 of a body, as in Bland's X-Webhook-Signature and our X-Signature. */
export function hmacHex(secret: string, body: string | Buffer): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

export function constantTimeEqual(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  // Compare against itself when lengths differ so the time taken does not reveal the length.
  return timingSafeEqual(a, a.length === b.length ? b : a) && a.length === b.length;
}

import { ApplicationFailure } from '@temporalio/activity';
import { hmacHex } from '../webhook-token';
import type { ForwardedEvent } from '../workflows/messages';

/**
 * POSTs one accepted event to the caller's own status webhook. The caller verifies
 * `X-Signature` (hex HMAC-SHA256 of the raw body with CALLER_WEBHOOK_SECRET) and may dedup on
 * `Idempotency-Key`. Network errors, 408, 429 and 5xx are retried far beyond Bland's single
 * attempt; another 4xx is final for that event.
 */
export async function forwardToCaller(
  url: string,
  event: ForwardedEvent,
  options: { secret?: string; timeoutMs: number },
): Promise<void> {
  const body = JSON.stringify(event);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'idempotency-key': event.key,
    'x-batch-workflow-id': event.workflow_id,
  };
  if (options.secret) headers['x-signature'] = hmacHex(options.secret, body);
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(options.timeoutMs) });
  } catch (err) {
    // The URL may carry the caller's own credentials in its query: name only its origin.
    const reason = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
    throw ApplicationFailure.retryable(
      `caller webhook at ${new URL(url).origin} unreachable: ${reason}`,
      'CallerWebhookUnavailable',
    );
  }
  await response.body?.cancel();
  if (response.ok) return;
  const message = `caller webhook at ${new URL(url).origin} answered ${response.status}`;
  // A 4xx is the caller refusing this event (wrong path, bad auth): retrying for a day changes
  // nothing. 408 and 429 are "later", like 5xx.
  const refused = response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429;
  if (refused) throw ApplicationFailure.nonRetryable(message, 'CallerWebhookRejected');
  throw ApplicationFailure.retryable(message, 'CallerWebhookUnavailable');
}

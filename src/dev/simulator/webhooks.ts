import { createHmac } from 'node:crypto';
import type { Timers } from './timers';
import type { SimEvent, WebhookAttempt, WebhookFaults } from './types';

/** Bland's documented behaviour: one POST, 10 s timeout, never retried. */
export const WEBHOOK_TIMEOUT_MS = 10_000;

/** POSTs one status event; resolves with the HTTP status, or undefined when it could not be delivered. */
export async function postWebhook(
  url: string,
  event: SimEvent,
  options: { secret?: string; signal: AbortSignal },
): Promise<number | undefined> {
  const body = JSON.stringify(event);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.secret) headers['x-webhook-signature'] = createHmac('sha256', options.secret).update(body).digest('hex');
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers,
      body,
      signal: AbortSignal.any([AbortSignal.timeout(WEBHOOK_TIMEOUT_MS), options.signal]),
    });
    await response.body?.cancel().catch(() => {});
    return response.status;
  } catch {
    return undefined;
  }
}

export interface OutboxDeps {
  url?: string;
  secret?: string;
  signal: AbortSignal;
  timers: Timers;
  /** Read at each event, so faults set after the batch was created still apply. */
  faults: () => WebhookFaults;
  /** Every attempt is recorded here (delivered or not). */
  attempts: WebhookAttempt[];
  log: (line: string) => void;
}

/** The status webhooks of one batch, with the webhook faults applied (drop, duplicate, delay, reorder). */
export class Outbox {
  private held: SimEvent[] = [];

  constructor(private readonly deps: OutboxDeps) {}

  /** Sends one event, or holds it when reordering; `last` releases the held ones in reverse order. */
  push(event: SimEvent, last: boolean): void {
    const faults = this.deps.faults();
    if (!faults.reorder) {
      void this.send(event, faults);
      return;
    }
    this.held.push(event);
    if (last) this.flush();
  }

  /** Sends the held events, newest first, one after the other. */
  flush(): void {
    const held = this.held.reverse();
    this.held = [];
    const faults = this.deps.faults();
    void (async () => {
      for (const event of held) await this.send(event, faults);
    })();
  }

  private async send(event: SimEvent, faults: WebhookFaults): Promise<void> {
    const { url, secret, signal, timers, attempts, log } = this.deps;
    if (!url) return;
    const now = () => new Date().toISOString();
    if (faults.drop === 'all' || faults.drop?.includes(event.status)) {
      attempts.push({ status: event.status, delivered: false, attempt_at: now() });
      log(`${event.batch_id} webhook ${event.status} dropped (fault)`);
      return;
    }
    if (faults.delayMs) await timers.sleep(faults.delayMs);
    if (signal.aborted) return;
    const times = faults.duplicate?.includes(event.status) ? 2 : 1;
    const sends: Promise<void>[] = [];
    for (let i = 0; i < times; i++) {
      const attempt: WebhookAttempt = { status: event.status, delivered: false, attempt_at: now() };
      attempts.push(attempt);
      sends.push(
        postWebhook(url, event, { signal, ...(secret ? { secret } : {}) }).then((code) => {
          attempt.delivered = code !== undefined && code >= 200 && code < 300;
          log(`${event.batch_id} webhook ${event.status} -> ${code ?? 'not delivered'}`);
        }),
      );
    }
    await Promise.all(sends);
  }
}

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../src/activities';
import { createApp } from '../../src/api/app';
import { listen, type RunningServer } from '../../src/api/serve';
import { BlandClient } from '../../src/bland/client';
import { BatchClient } from '../../src/client';
import { parseConfig } from '../../src/config';
import { type BlandSimulator, startBlandSimulator } from '../../src/dev/bland-simulator';
import { createLogger } from '../../src/logger';
import { connectTemporal, type TemporalTestContext, uniqueTaskQueue, withWorker } from '../support/temporal';

/**
 * End to end, as deployed: the API (auth on, Bland signatures required), a worker with the real
 * activities, and the Bland simulator, which POSTs its signed status webhooks over real HTTP to
 * the API's callback URL; the API signals the workflows through the Temporal dev server.
 */

// biome-ignore lint/suspicious/noExplicitAny: replies are JSON, checked by the assertions
type Json = any;

const TOKEN = 'e2e-api-token-0000000001';
const TOKEN_SECRET = 'e2e-webhook-token-secret-01';
const BLAND_SECRET = 'e2e-bland-webhook-signing-secret';

let ctx: TemporalTestContext;
let sim: BlandSimulator;
let api: RunningServer;
let batches: BatchClient;
let activities: ReturnType<typeof createActivities>;
let taskQueue: string;

beforeAll(async () => {
  ctx = await connectTemporal();
  taskQueue = uniqueTaskQueue('api-e2e');
  sim = await startBlandSimulator({ stepMs: 100, webhookSecret: BLAND_SECRET });
  batches = new BatchClient({ client: ctx.client, taskQueue });
  const config = parseConfig({
    API_TOKENS: TOKEN,
    WEBHOOK_TOKEN_SECRET: TOKEN_SECRET,
    BLAND_WEBHOOK_SECRET: BLAND_SECRET,
  });
  api = await listen(createApp({ config, batches, logger: createLogger({ level: 'silent' }) }), {
    port: 0,
    host: '127.0.0.1',
  });
  activities = createActivities({
    bland: new BlandClient({ baseUrl: sim.url, apiKey: sim.apiKey, timeoutMs: 3_000 }),
    publicUrl: api.url,
    webhookTokenSecret: TOKEN_SECRET,
  });
});

afterAll(async () => {
  await api?.close();
  await sim?.close();
  await ctx?.close();
});

const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

async function call(method: string, path: string, body?: unknown, extra: Record<string, string> = {}) {
  const res = await fetch(`${api.url}${path}`, {
    method,
    headers: { ...headers, ...extra },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Json };
}

async function poll<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('end to end: API + worker + Bland simulator', () => {
  it('submit → GET follows the batch through real webhooks to completed with counts → listed by status', async () => {
    await withWorker(ctx, taskQueue, activities, async () => {
      const key = `e2e-${randomUUID()}`;
      // No reconciliation (quiet_timeout 1h): every step must come by webhook.
      const body = {
        call_objects: [
          { phone_number: '+14155550101' },
          { phone_number: '+14155550102' },
          { phone_number: '+14155550103' },
        ],
        global: { task: 'Confirm tomorrow’s delivery window.' },
        description: 'e2e completed',
        options: { quiet_timeout: '1h' },
      };
      const submitted = await call('POST', '/v1/batches', body, { 'idempotency-key': key });
      expect(submitted.status).toBe(202);
      const id = submitted.body.id;
      expect(id).toBe(`batch-${key}`);

      const seen = new Set<string>();
      const closed = await poll('the batch to close', async () => {
        const res = await call('GET', `/v1/batches/${id}`);
        expect(res.status).toBe(200);
        seen.add(`${res.body.state}:${res.body.status}`);
        return res.body.state === 'closed' ? res.body : undefined;
      });
      expect(closed).toMatchObject({
        id,
        state: 'closed',
        status: 'completed',
        source: 'webhook',
        counts: { total: 3, successful: 3, failed: 0 },
      });
      expect(closed.batch_id).toEqual(expect.any(String));
      expect(closed.events.map((e: { status: string }) => e.status)).toEqual([
        'validating',
        'dispatching',
        'in_progress',
        'completed',
      ]);
      expect([...seen].some((s) => s.startsWith('running:'))).toBe(true);

      // Every webhook the simulator sent was delivered (2xx) to our API.
      const simBatch = sim.batches().find((b) => b.batch_id === closed.batch_id);
      expect(simBatch?.webhooks.map((w) => w.delivered)).toEqual([true, true, true, true]);

      const listed = await poll('the batch in the completed list', async () => {
        const res = await call('GET', '/v1/batches?status=completed&limit=100');
        return res.body.items.find((item: { id: string }) => item.id === id);
      });
      expect(listed).toMatchObject({
        id,
        status: 'completed',
        batch_id: closed.batch_id,
        workflow_status: 'COMPLETED',
      });
      expect(listed.closed_at).toEqual(expect.any(String));

      // The same key later: the same batch, not a second one at Bland.
      const again = await call('POST', '/v1/batches', body, { 'idempotency-key': key });
      expect(again).toMatchObject({ status: 200, body: { id, status: 'completed' } });
      expect(sim.createCalls(id)).toBe(1);
    });
  });

  it('the typed client: start + waitForOutcome, a partial batch', async () => {
    await withWorker(ctx, taskQueue, activities, async () => {
      const { id, created } = await batches.start({
        call_objects: [{ phone_number: '+14155550111' }, { phone_number: '+14155550000' }],
        global: { task: 'Ask for feedback.' },
      });
      expect(created).toBe(true);
      const outcome = await batches.waitForOutcome(id);
      expect(outcome).toMatchObject({
        id,
        status: 'completed_partial',
        code: 'calls_failed',
        counts: { total: 2, successful: 1, failed: 1 },
      });
      const details = await batches.get(id);
      expect(details.state).toBe('closed');
    });
  });

  it('cancel: 202 while it waits for scheduled calls, Bland stops it, the batch ends; then 409', async () => {
    await withWorker(ctx, taskQueue, activities, async () => {
      const tomorrow = new Date(Date.now() + 86_400_000).toISOString().replace('T', ' ').slice(0, 19);
      const submitted = await call('POST', '/v1/batches', {
        call_objects: [{ phone_number: '+14155550121' }, { phone_number: '+14155550122', start_time: tomorrow }],
        global: { task: 'Reminder call.' },
      });
      expect(submitted.status).toBe(202);
      const id = submitted.body.id;
      await poll('waiting_for_scheduled_calls', async () => {
        const res = await call('GET', `/v1/batches/${id}`);
        return res.body.status === 'waiting_for_scheduled_calls' ? true : undefined;
      });

      const cancel = await call('POST', `/v1/batches/${id}/cancel`, { reason: 'campaign withdrawn' });
      expect(cancel).toEqual({ status: 202, body: { id, status: 'cancelling' } });

      const closed = await poll('the cancelled batch to close', async () => {
        const res = await call('GET', `/v1/batches/${id}`);
        return res.body.state === 'closed' ? res.body : undefined;
      });
      // Bland's own final word (after our stop) arrived by webhook within cancel_grace.
      expect(closed).toMatchObject({ status: 'completed_partial', code: 'batch_stopped' });
      expect(sim.batches().find((b) => b.batch_id === closed.batch_id)?.stopped).toBe(true);

      const again = await call('POST', `/v1/batches/${id}/cancel`, {});
      expect(again.status).toBe(409);
      expect(again.body.error.code).toBe('already_terminal');
    });
  });

  it('counted every signal, and no webhook from the simulator was rejected', async () => {
    const text = await (await fetch(`${api.url}/metrics`)).text();
    const sent = Number(/^bland_webhook_signals_sent_total (\d+)/m.exec(text)?.[1]);
    expect(sent).toBeGreaterThanOrEqual(4 + 4 + 4);
    expect(text).not.toMatch(/bland_webhook_rejections_total\{reason="invalid_(token|signature)"\}/);
    expect(Number(/^batches_started_total (\d+)/m.exec(text)?.[1])).toBe(2);
  });
});

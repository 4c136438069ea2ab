import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app';
import { listen, type RunningServer } from '../../src/api/serve';
import { BatchClient } from '../../src/client';
import { parseConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { hmacHex, webhookToken } from '../../src/webhook-token';
import type { BatchView } from '../../src/workflows/messages';
import { statusQuery } from '../../src/workflows/messages';
import { fakeBland } from '../support/fake-activities';
import { connectTemporal, type TemporalTestContext, uniqueTaskQueue, withWorker } from '../support/temporal';

/**
 * The Bland webhook route against real workflows (a worker with activities under the test's
 * control): every forged or damaged request is refused and leaves the workflow untouched; good
 * ones become signals that the workflow applies.
 */

// biome-ignore lint/suspicious/noExplicitAny: replies are JSON, checked by the assertions
type Json = any;

const TOKEN = 'webhook-test-api-token-01';
const TOKEN_SECRET = 'webhook-test-token-secret';
const BLAND_SECRET = 'webhook-test-bland-secret';
const BATCH_ID = 'bland-batch-under-test';

let ctx: TemporalTestContext;
let signed: RunningServer; // BLAND_WEBHOOK_SECRET set
let unsigned: RunningServer; // token only, small body limit
let taskQueue: string;
let batches: BatchClient;

beforeAll(async () => {
  ctx = await connectTemporal();
  taskQueue = uniqueTaskQueue('api-webhook');
  batches = new BatchClient({ client: ctx.client, taskQueue });
  const base = { API_TOKENS: TOKEN, WEBHOOK_TOKEN_SECRET: TOKEN_SECRET };
  const logger = createLogger({ level: 'silent' });
  signed = await listen(
    createApp({ config: parseConfig({ ...base, BLAND_WEBHOOK_SECRET: BLAND_SECRET }), batches, logger }),
    { port: 0, host: '127.0.0.1' },
  );
  unsigned = await listen(
    createApp({ config: parseConfig({ ...base, WEBHOOK_BODY_LIMIT_BYTES: '2048' }), batches, logger }),
    { port: 0, host: '127.0.0.1' },
  );
});

afterAll(async () => {
  await signed?.close();
  await unsigned?.close();
  await ctx?.close();
});

async function submit(options: Record<string, unknown> = {}): Promise<string> {
  const res = await fetch(`${signed.url}/v1/batches`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      call_objects: [{ phone_number: '+14155550101' }, { phone_number: '+14155550102' }],
      global: { task: 'Confirm the delivery window.' },
      options: { quiet_timeout: '1h', cancel_grace: '0s', ...options },
    }),
  });
  expect(res.status).toBe(202);
  return ((await res.json()) as Json).id;
}

let tick = 0;
function event(status: string, extra: Record<string, unknown> = {}) {
  tick++;
  return {
    batch_id: BATCH_ID,
    status,
    timestamp: new Date(Date.UTC(2026, 10, 30, 12, 0, 0, tick)).toISOString(),
    ...extra,
  };
}

async function hook(
  server: RunningServer,
  id: string,
  body: string,
  options: { token?: string | null; signature?: string | null } = {},
) {
  const token = options.token === undefined ? webhookToken(TOKEN_SECRET, id) : options.token;
  const signature = options.signature === undefined ? hmacHex(BLAND_SECRET, body) : options.signature;
  const res = await fetch(
    `${server.url}/v1/webhooks/bland/${encodeURIComponent(id)}${token === null ? '' : `?token=${token}`}`,
    {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(signature === null ? {} : { 'x-webhook-signature': signature }),
      },
      body,
    },
  );
  return { status: res.status, body: (await res.json()) as Json };
}

async function view(id: string): Promise<BatchView> {
  return ctx.client.workflow.getHandle(id).query(statusQuery);
}

async function until(what: string, predicate: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('POST /v1/webhooks/bland/:id', () => {
  it('refuses forged and damaged requests with 401 and leaves the workflow untouched', async () => {
    const fake = fakeBland({ createImmediately: BATCH_ID });
    await withWorker(ctx, taskQueue, fake.activities, async () => {
      const id = await submit();
      const other = await submit();
      await until('the batch id', async () => (await view(id)).batch_id === BATCH_ID);
      const before = await view(id);

      const body = JSON.stringify(event('validating'));
      const attempts: { name: string; reply: Awaited<ReturnType<typeof hook>>; code: string }[] = [];
      const attempt = async (name: string, code: string, reply: Promise<Awaited<ReturnType<typeof hook>>>) =>
        attempts.push({ name, code, reply: await reply });
      await attempt('no token', 'invalid_token', hook(signed, id, body, { token: null }));
      await attempt('empty token', 'invalid_token', hook(signed, id, body, { token: '' }));
      await attempt('wrong token', 'invalid_token', hook(signed, id, body, { token: 'A'.repeat(43) }));
      await attempt(
        "another workflow's token",
        'invalid_token',
        hook(signed, id, body, { token: webhookToken(TOKEN_SECRET, other) }),
      );
      await attempt(
        'token made with another secret',
        'invalid_token',
        hook(signed, id, body, { token: webhookToken('some-other-secret-entirely', id) }),
      );
      await attempt('no signature', 'invalid_signature', hook(signed, id, body, { signature: null }));
      await attempt('wrong signature', 'invalid_signature', hook(signed, id, body, { signature: '0'.repeat(64) }));
      await attempt(
        'signature of another body',
        'invalid_signature',
        hook(signed, id, body, { signature: hmacHex(BLAND_SECRET, JSON.stringify(event('completed'))) }),
      );
      await attempt(
        'signature with another secret',
        'invalid_signature',
        hook(signed, id, body, { signature: hmacHex('not-bland-secret', body) }),
      );
      await attempt(
        'token of the other workflow on its own URL, but body signed wrongly',
        'invalid_signature',
        hook(signed, other, body, { signature: 'zz' }),
      );
      for (const { name, code, reply } of attempts) {
        expect(reply.status, name).toBe(401);
        expect(reply.body.error.code, name).toBe(code);
      }

      const after = await view(id);
      expect(after.status).toBe(before.status);
      expect(after.events).toEqual(before.events);
      expect(after.duplicates).toBe(before.duplicates);
      expect((await view(other)).events).toEqual([]);

      await ctx.client.workflow.getHandle(id).terminate('test done');
      await ctx.client.workflow.getHandle(other).terminate('test done');
    });
  });

  it('accepts a signature over the raw body or over JSON.stringify(body), signals, and the workflow applies it', async () => {
    const fake = fakeBland({ createImmediately: BATCH_ID });
    await withWorker(ctx, taskQueue, fake.activities, async () => {
      const id = await submit();
      await until('the batch id', async () => (await view(id)).batch_id === BATCH_ID);

      // Pretty-printed: the raw bytes differ from JSON.stringify(parsed).
      const pretty = JSON.stringify(event('validating'), null, 2);
      const overRaw = await hook(signed, id, pretty, { signature: hmacHex(BLAND_SECRET, pretty) });
      expect(overRaw).toEqual({ status: 200, body: { accepted: true } });

      const dispatching = event('dispatching');
      const prettyToo = JSON.stringify(dispatching, null, 2);
      const overCompact = await hook(signed, id, prettyToo, {
        signature: hmacHex(BLAND_SECRET, JSON.stringify(dispatching)).toUpperCase(),
      });
      expect(overCompact).toEqual({ status: 200, body: { accepted: true } });
      await until('dispatching', async () => (await view(id)).status === 'dispatching');

      // The same event again is signalled, and the workflow counts it as a duplicate.
      const again = await hook(signed, id, prettyToo, { signature: hmacHex(BLAND_SECRET, prettyToo) });
      expect(again.status).toBe(200);
      await until('the duplicate', async () => (await view(id)).duplicates === 1);

      // GET shows the running batch through the status query.
      const running = (await (
        await fetch(`${signed.url}/v1/batches/${id}`, { headers: { authorization: `Bearer ${TOKEN}` } })
      ).json()) as Json;
      expect(running).toMatchObject({ id, state: 'running', status: 'dispatching', batch_id: BATCH_ID });
      expect(running.events.map((e: { status: string }) => e.status)).toEqual(['validating', 'dispatching']);

      // The final event ends the workflow; a later one is acknowledged but not delivered.
      const done = await hook(
        unsigned,
        id,
        JSON.stringify(event('completed', { calls_total: 2, calls_successful: 2, calls_failed: 0 })),
      );
      expect(done.body).toEqual({ accepted: true });
      const outcome = await batches.waitForOutcome(id);
      expect(outcome).toMatchObject({ id, status: 'completed', counts: { total: 2, successful: 2, failed: 0 } });
      await until(
        'closed',
        async () => (await ctx.client.workflow.getHandle(id).describe()).status.name === 'COMPLETED',
      );
      const late = await hook(signed, id, JSON.stringify(event('in_progress')));
      expect(late).toEqual({ status: 200, body: { accepted: false, reason: 'batch_closed' } });

      const closed = (await (
        await fetch(`${signed.url}/v1/batches/${id}`, { headers: { authorization: `Bearer ${TOKEN}` } })
      ).json()) as Json;
      expect(closed).toMatchObject({ id, state: 'closed', status: 'completed', source: 'webhook' });
    });
  });

  it('answers bad input with 400 (with issues), too large with 413, unknown workflows with 404', async () => {
    const id = `batch-${randomUUID()}`; // never started: only reachable after the token and body checks
    const malformed = await hook(signed, id, '{"batch_id": ');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('invalid_json');

    const notAnEvent = await hook(signed, id, JSON.stringify({ status: 7, timestamp: 'yesterday', calls_total: -1 }));
    expect(notAnEvent.status).toBe(400);
    expect(notAnEvent.body.error.code).toBe('invalid_event');
    expect(notAnEvent.body.error.issues.map((i: { path: string }) => i.path).sort()).toEqual(
      ['batch_id', 'calls_total', 'status', 'timestamp'].sort(),
    );
    for (const body of ['[]', 'null', '"completed"', '']) {
      expect((await hook(signed, id, body)).status, body).toBe(400);
    }

    const big = JSON.stringify(event('in_progress', { message: 'x'.repeat(4096) }));
    const tooLarge = await hook(unsigned, id, big);
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.error.code).toBe('payload_too_large');

    const unknown = await hook(signed, id, JSON.stringify(event('validating')));
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('not_found');

    // Without a token, even a too-large body is just a 401 (the body is never read).
    const anonymous = await hook(unsigned, id, big, { token: null });
    expect(anonymous.status).toBe(401);
  });

  it('cancel: 202 while running, the workflow stops the batch at Bland and ends; then 409', async () => {
    const fake = fakeBland({ createImmediately: BATCH_ID });
    await withWorker(ctx, taskQueue, fake.activities, async () => {
      const id = await submit();
      await until('the batch id', async () => (await view(id)).batch_id === BATCH_ID);
      const cancel = (reason?: unknown) =>
        fetch(`${signed.url}/v1/batches/${id}/cancel`, {
          method: 'POST',
          headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
          body: reason === undefined ? undefined : JSON.stringify({ reason }),
        });
      const first = await cancel('customer asked');
      expect(first.status).toBe(202);
      expect(await first.json()).toEqual({ id, status: 'cancelling' });
      const outcome = await batches.waitForOutcome(id);
      expect(outcome).toMatchObject({ status: 'completed_partial', code: 'orchestrator_cancelled' });
      expect(outcome.reason).toContain('customer asked');
      expect(fake.calls.stop).toEqual([BATCH_ID]);
      const second = await cancel();
      expect(second.status).toBe(409);
      expect(((await second.json()) as Json).error.code).toBe('already_terminal');
    });
  });
});

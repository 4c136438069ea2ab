import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app';
import { listen, type RunningServer } from '../../src/api/serve';
import { BatchClient } from '../../src/client';
import { parseConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { connectTemporal, type TemporalTestContext, terminateAll, uniqueTaskQueue } from '../support/temporal';

/**
 * The batch routes over real HTTP and a real Temporal dev server, with no worker: workflows stay
 * at `creating`, which is all that submission, idempotency, listing and errors need.
 */

// biome-ignore lint/suspicious/noExplicitAny: replies are JSON, checked field by field by the assertions
type Json = any;

const TOKEN = 'api-token-for-tests-0001';
const OTHER_TOKEN = 'api-token-for-tests-0002';

let ctx: TemporalTestContext;
let api: RunningServer;
let authless: RunningServer;
let batches: BatchClient;
const started: string[] = [];

function validBody(overrides: Record<string, unknown> = {}) {
  return {
    call_objects: [{ phone_number: '+14155550101' }, { phone_number: '+14155550102', task: 'Ask about the invoice.' }],
    global: { task: 'Remind the customer of the appointment.' },
    description: 'api test',
    ...overrides,
  };
}

async function post(path: string, body: unknown, headers: Record<string, string> = {}, base = api.url) {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}`, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : undefined) as Json };
}

async function get(path: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${api.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}`, ...headers } });
  return { status: res.status, body: (await res.json()) as Json };
}

async function submit(body: unknown, key?: string) {
  const res = await post('/v1/batches', body, key === undefined ? {} : { 'idempotency-key': key });
  if (res.status === 202) started.push(res.body.id);
  return res;
}

beforeAll(async () => {
  ctx = await connectTemporal();
  batches = new BatchClient({ client: ctx.client, taskQueue: uniqueTaskQueue('api-batches'), workerTimeoutMs: 1_500 });
  const base = {
    API_TOKENS: `${TOKEN},${OTHER_TOKEN}`,
    WEBHOOK_TOKEN_SECRET: 'webhook-secret-for-tests',
    TEMPORAL_UI_URL: 'http://temporal-ui.test:8233',
  };
  const silent = createLogger({ level: 'silent' });
  api = await listen(
    createApp({ config: parseConfig(base), batches, logger: silent, batchBodyLimitBytes: 64 * 1024 }),
    {
      port: 0,
      host: '127.0.0.1',
    },
  );
  authless = await listen(
    createApp({ config: parseConfig({ ...base, API_TOKENS: '', API_AUTH: 'disabled' }), batches, logger: silent }),
    { port: 0, host: '127.0.0.1' },
  );
});

afterAll(async () => {
  await terminateAll(ctx, started);
  await api?.close();
  await authless?.close();
  await ctx?.close();
});

describe('POST /v1/batches', () => {
  it('starts a workflow and answers 202 with id, status and links', async () => {
    const res = await submit(validBody());
    expect(res.status).toBe(202);
    expect(res.body.id).toMatch(/^batch-[0-9a-f-]{36}$/);
    expect(res.body.status).toBe('creating');
    expect(res.body.links).toEqual({
      self: `/v1/batches/${res.body.id}`,
      temporal_ui: `http://temporal-ui.test:8233/namespaces/default/workflows/${res.body.id}`,
    });
    const description = await ctx.client.workflow.getHandle(res.body.id).describe();
    expect(description.type).toBe('batchWorkflow');
    expect(description.taskQueue).toBe(batches.taskQueue);
    expect(description.memo?.submission_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(res.headers.get('x-request-id')).toBeTruthy();
  });

  it('rejects an invalid body with 400 and one issue per bad path', async () => {
    const body = validBody({
      call_objects: [{ phone_number: '+14155550101' }, { phone_number: '555-0101' }, { task: 'no number here' }],
      global: { phone_number: '+14155550100' },
      description: 'x'.repeat(61),
      options: { deadline: 'soon' },
    });
    const res = await submit(body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_request');
    const paths = res.body.error.issues.map((i: { path: string }) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'call_objects[1].phone_number',
        'call_objects[2].phone_number',
        'global.phone_number',
        'description',
        'options.deadline',
      ]),
    );
    for (const issue of res.body.error.issues) expect(issue.message).toEqual(expect.any(String));
  });

  it('rejects a body that is not an object, and an empty one', async () => {
    for (const body of ['[]', '"batch"', '42', 'null']) {
      const res = await submit(body);
      expect(res.status, body).toBe(400);
      expect(res.body.error.code).toBe('invalid_request');
    }
    const empty = await post('/v1/batches', '');
    expect(empty.status).toBe(400);
    expect(empty.body.error.code).toBe('invalid_json');
  });

  it('answers malformed JSON with 400 invalid_json', async () => {
    const res = await post('/v1/batches', '{"call_objects": [');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: { code: 'invalid_json', message: expect.any(String) } });
  });

  it('answers an oversized body with 413', async () => {
    const calls = Array.from({ length: 3_000 }, (_, i) => ({ phone_number: `+1415${String(i).padStart(7, '0')}` }));
    const res = await post('/v1/batches', validBody({ call_objects: calls }));
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('payload_too_large');
  });

  it('validates the Idempotency-Key', async () => {
    for (const key of ['has space', 'a/b', 'x'.repeat(201), 'é']) {
      const res = await post('/v1/batches', validBody(), { 'idempotency-key': key });
      expect(res.status, key).toBe(400);
      expect(res.body.error.code).toBe('invalid_idempotency_key');
    }
  });

  it('is idempotent per key: same body → 200 same id, other body → 409, also after the batch closed', async () => {
    const key = `order-${randomUUID()}`;
    const first = await submit(validBody(), key);
    expect(first.status).toBe(202);
    expect(first.body.id).toBe(`batch-${key}`);

    // Same batch, different key order and defaults spelled out: still the same submission.
    const reordered = { ...Object.fromEntries(Object.entries(validBody()).reverse()), options: { deadline: '7d' } };
    const again = await submit(reordered, key);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);

    const other = await submit(validBody({ description: 'another batch' }), key);
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('idempotency_key_reused');

    await ctx.client.workflow.getHandle(first.body.id).terminate('finished for the test');
    const afterClose = await submit(validBody(), key);
    expect(afterClose.status).toBe(200);
    expect(afterClose.body.id).toBe(first.body.id);
    expect((await submit(validBody({ description: 'another batch' }), key)).status).toBe(409);
  });

  it('runs concurrent submissions with one key into exactly one workflow', async () => {
    const key = `race-${randomUUID()}`;
    const replies = await Promise.all(Array.from({ length: 8 }, () => submit(validBody(), key)));
    expect(replies.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 202]);
    expect(new Set(replies.map((r) => r.body.id))).toEqual(new Set([`batch-${key}`]));
  });
});

describe('authentication', () => {
  it('answers 401 without, with a wrong, or with a malformed bearer token', async () => {
    const cases: Record<string, string>[] = [
      {},
      { authorization: 'Bearer wrong-token-wrong-token' },
      { authorization: `Basic ${TOKEN}` },
      { authorization: `Bearer ${TOKEN}x` },
      { authorization: 'Bearer ' },
    ];
    for (const headers of cases) {
      const res = await fetch(`${api.url}/v1/batches`, { headers });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(await res.json()).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
    }
    const submitted = await fetch(`${api.url}/v1/batches`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(validBody()),
    });
    expect(submitted.status).toBe(401);
    expect((await fetch(`${api.url}/v1/batches/some-id`)).status).toBe(401);
    expect((await fetch(`${api.url}/v1/batches/some-id/cancel`, { method: 'POST' })).status).toBe(401);
  });

  it('accepts every configured token', async () => {
    const res = await get('/v1/batches?limit=1', { authorization: `Bearer ${OTHER_TOKEN}` });
    expect(res.status).toBe(200);
  });

  it('lets everything through with API_AUTH=disabled', async () => {
    const res = await fetch(`${authless.url}/v1/batches?limit=1`);
    expect(res.status).toBe(200);
  });
});

describe('GET /v1/batches/:id', () => {
  it('answers 404 not_found for an unknown id', async () => {
    const res = await get(`/v1/batches/batch-${randomUUID()}`);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });

  it('answers with the last published status when no worker answers the status query in time', async () => {
    const { body } = await submit(validBody());
    const res = await get(`/v1/batches/${body.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: body.id, state: 'no_worker', status: 'creating' });
    expect(res.body.message).toMatch(/no worker/);
    expect(res.body.events).toBeUndefined();
  });

  it('reports a workflow that ended without an outcome (terminated) as a closed, failed batch', async () => {
    const { body } = await submit(validBody());
    await ctx.client.workflow.getHandle(body.id).terminate('operator stopped it');
    const res = await get(`/v1/batches/${body.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: body.id,
      state: 'closed',
      status: 'failed',
      code: 'workflow_terminated',
      reason: 'operator stopped it',
      source: 'orchestrator',
    });
  });
});

describe('GET /v1/batches', () => {
  it('lists through visibility, filters by status and pages with an opaque cursor', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await submit(validBody({ description: `list ${i}` }))).body.id);
    // Visibility is eventually consistent: wait until all three are listed.
    const deadline = Date.now() + 15_000;
    let seen: string[] = [];
    while (Date.now() < deadline) {
      const res = await get('/v1/batches?status=creating&limit=100');
      seen = res.body.items.map((item: { id: string }) => item.id);
      if (ids.every((id) => seen.includes(id))) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(seen).toEqual(expect.arrayContaining(ids));

    const one = (await get('/v1/batches?status=creating&limit=100')).body.items.find(
      (item: { id: string }) => item.id === ids[0],
    );
    expect(one).toEqual({
      id: ids[0],
      status: 'creating',
      batch_id: null,
      workflow_status: 'RUNNING',
      started_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      closed_at: null,
    });

    // Pages of one: cursors lead through distinct items.
    const first = await get('/v1/batches?status=creating&limit=1');
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(1);
    expect(first.body.next_cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    const second = await get(`/v1/batches?status=creating&limit=1&cursor=${first.body.next_cursor}`);
    expect(second.status).toBe(200);
    expect(second.body.items[0].id).not.toBe(first.body.items[0].id);

    const none = await get('/v1/batches?status=completed_partial&limit=100');
    expect(none.body.items.every((item: { status: string }) => item.status === 'completed_partial')).toBe(true);
  });

  it('rejects unknown statuses, bad limits and cursors with 400 (nothing reaches the query unchecked)', async () => {
    const bad = [
      "status=creating' OR WorkflowType != 'x",
      'status=bogus',
      'status=creating&status=failed',
      'limit=0',
      'limit=101',
      'limit=abc',
      'limit=1.5',
      'cursor=not%20base64!',
    ];
    for (const query of bad) {
      const res = await get(`/v1/batches?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.error.code).toBe('invalid_query');
      expect(res.body.error.issues.length).toBeGreaterThan(0);
    }
    const garbage = await get(`/v1/batches?cursor=${Buffer.from('garbage token').toString('base64url')}`);
    expect(garbage.status).toBe(400);
  });
});

describe('POST /v1/batches/:id/cancel', () => {
  it('answers 404 for an unknown batch and 409 for a closed one', async () => {
    const unknown = await post(`/v1/batches/batch-${randomUUID()}/cancel`, { reason: 'test' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('not_found');

    const { body } = await submit(validBody());
    await ctx.client.workflow.getHandle(body.id).terminate('closed for the test');
    const closed = await post(`/v1/batches/${body.id}/cancel`, {});
    expect(closed.status).toBe(409);
    expect(closed.body.error.code).toBe('already_terminal');
  });

  it('validates its optional body', async () => {
    const { body } = await submit(validBody());
    const res = await post(`/v1/batches/${body.id}/cancel`, { reason: 42 });
    expect(res.status).toBe(400);
    expect(res.body.error.issues[0].path).toBe('reason');
    const malformed = await post(`/v1/batches/${body.id}/cancel`, '{');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('invalid_json');
  });
});

describe('unknown routes', () => {
  it('answer 404 in the error shape', async () => {
    const res = await fetch(`${api.url}/v2/nothing`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as Json).error.code).toBe('not_found');
  });
});

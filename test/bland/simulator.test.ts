import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseProgress } from '../../src/bland/lifecycle';
import { eventsFromLogs } from '../../src/bland/logs';
import { batchLogEntrySchema, statusEventSchema, WORKFLOW_MARKER_KEY } from '../../src/bland/schemas';
import { parseStartTime } from '../../src/bland/time';
import { type BlandSimulator, startBlandSimulator } from '../../src/dev/bland-simulator';

// --- helpers -------------------------------------------------------------------------------------

interface Received {
  body: Record<string, unknown>;
  headers: http.IncomingHttpHeaders;
}

/** A local status-webhook receiver on 127.0.0.1. */
async function startReceiver() {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ body: JSON.parse(Buffer.concat(chunks).toString('utf8')), headers: req.headers });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    of: (batchId: string) => received.filter((r) => r.body.batch_id === batchId).map((r) => r.body),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
type Receiver = Awaited<ReturnType<typeof startReceiver>>;

async function waitFor<T>(probe: () => T | undefined | false, timeoutMs = 3000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const TERMINAL = ['completed', 'failed', 'completed_partial'];

async function api(sim: BlandSimulator, method: string, path: string, body?: unknown, auth: string | null = 'sim-key') {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (auth !== null) headers.authorization = auth;
  const res = await fetch(`${sim.url}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  // biome-ignore lint/suspicious/noExplicitAny: replies are inspected ad hoc, shape by shape
  return { status: res.status, headers: res.headers, json: (await res.json()) as any };
}

function batchBody(webhook: string | undefined, phones: (string | undefined)[], extra: Record<string, unknown> = {}) {
  return {
    description: 'sim test',
    ...(webhook ? { status_webhook: webhook } : {}),
    global: { task: 'Say hello', metadata: { [WORKFLOW_MARKER_KEY]: 'wf-default' } },
    call_objects: phones.map((p) => (p === undefined ? { task: 'no number' } : { phone_number: p })),
    ...extra,
  };
}

async function create(sim: BlandSimulator, body: unknown): Promise<string> {
  const res = await api(sim, 'POST', '/v2/batches/create', body);
  expect(res.status).toBe(200);
  expect(res.json.errors).toBeNull();
  return res.json.data.batch_id as string;
}

async function logsOf(sim: BlandSimulator, batchId: string, query = 'take=1000&direction=asc') {
  const res = await api(sim, 'GET', `/v2/batches/${batchId}/logs?${query}`);
  expect(res.status).toBe(200);
  return res.json.data.map((e: unknown) => batchLogEntrySchema.parse(e));
}

const finalOf = (r: Receiver, id: string) => r.of(id).find((e) => TERMINAL.includes(e.status as string));

/** `YYYY-MM-DD HH:MM:SS` (+ optional offset) for an instant, as Bland's start_time. */
function startTime(at: number, offsetMinutes?: number): string {
  const local = new Date(at + (offsetMinutes ?? 0) * 60_000);
  const p = (n: number) => String(n).padStart(2, '0');
  const base = `${local.getUTCFullYear()}-${p(local.getUTCMonth() + 1)}-${p(local.getUTCDate())} ${p(local.getUTCHours())}:${p(local.getUTCMinutes())}:${p(local.getUTCSeconds())}`;
  if (offsetMinutes === undefined) return base;
  const abs = Math.abs(offsetMinutes);
  return `${base} ${offsetMinutes < 0 ? '-' : '+'}${p(Math.floor(abs / 60))}:${p(abs % 60)}`;
}

// --- tests ---------------------------------------------------------------------------------------

describe('Bland simulator', () => {
  let sim: BlandSimulator;
  let hooks: Receiver;

  beforeAll(async () => {
    hooks = await startReceiver();
    sim = await startBlandSimulator({ stepMs: 20, chunkSize: 3 });
  });
  afterAll(async () => {
    await sim.close();
    await hooks.close();
  });
  beforeEach(() => {
    sim.reset();
    hooks.received.length = 0;
  });

  it('runs the whole lifecycle: webhooks and logs agree, timestamps included', async () => {
    const id = await create(sim, batchBody(hooks.url, ['+14155550101', '+14155550102']));
    const final = await waitFor(() => finalOf(hooks, id));
    // Each webhook is its own POST: on a loaded machine they may land out of order, as with Bland.
    const events = [...hooks.of(id)].sort((a, b) => Date.parse(String(a.timestamp)) - Date.parse(String(b.timestamp)));
    expect(events.map((e) => e.status)).toEqual(['validating', 'dispatching', 'in_progress', 'completed']);
    for (const e of events) expect(statusEventSchema.safeParse(e).success).toBe(true);
    expect(final).toMatchObject({ calls_total: 2, calls_successful: 2, calls_failed: 0 });
    expect(parseProgress(events[2]!.message as string)).toMatchObject({ requested: 2, validated: 2, dispatched: 2 });

    const logs = await logsOf(sim, id);
    const lifecycle = logs.filter((l: { event_type: string }) => l.event_type === 'lifecycle');
    expect(lifecycle.map((l: { payload: { state_change: string } }) => l.payload.state_change)).toEqual(
      events.map((e) => e.status),
    );
    expect(lifecycle.map((l: { timestamp: string }) => l.timestamp)).toEqual(events.map((e) => e.timestamp));
    expect(logs.at(-1)).toMatchObject({
      event_type: 'complete',
      payload: { calls_total: 2, calls_successful: 2, calls_failed: 0 },
    });
    expect(new Set(logs.map((l: { id: unknown }) => l.id)).size).toBe(logs.length);
    // What reconciliation would read back equals what the webhooks said.
    const reconciled = eventsFromLogs(id, logs).map((e) => e.event);
    expect(reconciled.map((e) => e.status)).toEqual(events.map((e) => e.status));
    expect(reconciled.at(-1)).toMatchObject({ calls_total: 2, calls_successful: 2, calls_failed: 0 });

    // `delivered` is set when the receiver's reply reaches the simulator, just after the body arrived.
    const summary = await waitFor(() => {
      const batch = sim.batches()[0];
      return batch?.webhooks.every((w) => w.delivered) && batch;
    });
    expect(summary).toMatchObject({ batch_id: id, marker: 'wf-default', status: 'completed', calls: 2, stop_calls: 0 });
    expect(summary.webhooks.map((w) => [w.status, w.delivered])).toEqual(events.map((e) => [e.status, true]));
  });

  it('serves get and list with base_prompt = JSON of global, newest first, paged', async () => {
    const ids: string[] = [];
    for (const n of [1, 2, 3])
      ids.push(await create(sim, { ...batchBody(undefined, ['+14155550101']), description: `b${n}` }));
    const got = await api(sim, 'GET', `/v2/batches/${ids[0]}`);
    expect(got.json.data).toMatchObject({ id: ids[0], description: 'b1' });
    expect(JSON.parse(got.json.data.base_prompt).metadata[WORKFLOW_MARKER_KEY]).toBe('wf-default');
    expect(typeof got.json.data.created_at).toBe('string');
    const list = await api(sim, 'GET', '/v2/batches/list?take=2&skip=0');
    expect(list.json.data.map((b: { id: string }) => b.id)).toEqual([ids[2], ids[1]]);
    const rest = await api(sim, 'GET', '/v2/batches/list?take=2&skip=2');
    expect(rest.json.data.map((b: { id: string }) => b.id)).toEqual([ids[0]]);
    expect((await api(sim, 'GET', '/v2/batches/nope')).status).toBe(404);
    expect((await api(sim, 'GET', '/v2/batches/list?take=-1')).status).toBe(400);
  });

  it('pages logs with take/skip/direction', async () => {
    const id = await create(sim, batchBody(undefined, ['+14155550101']));
    await waitFor(() => sim.batches()[0]?.counts);
    const all = await logsOf(sim, id);
    expect(all).toHaveLength(5);
    const desc = await logsOf(sim, id, 'take=2&skip=0&direction=desc');
    expect(desc.map((l: { id: unknown }) => l.id)).toEqual([all[4].id, all[3].id]);
    const asc = await logsOf(sim, id, 'take=2&skip=2&direction=asc');
    expect(asc.map((l: { id: unknown }) => l.id)).toEqual([all[2].id, all[3].id]);
    expect((await api(sim, 'GET', `/v2/batches/${id}/logs?direction=up`)).status).toBe(400);
  });

  it('goes in_progress_chunked with one progress message per chunk', async () => {
    const phones = Array.from({ length: 7 }, (_, i) => `+1415555010${i}`);
    const id = await create(sim, batchBody(hooks.url, phones));
    await waitFor(() => finalOf(hooks, id));
    const chunks = hooks.of(id).filter((e) => e.status === 'in_progress_chunked');
    expect(chunks.map((e) => parseProgress(e.message as string)?.dispatched)).toEqual([3, 6, 7]);
    expect(chunks[0]!.message).toMatch(/^Requested: 7\. Validated: 7\. Dispatched: 3\. CPS: \d+\.\d{2}\.$/);
    expect(finalOf(hooks, id)).toMatchObject({ status: 'completed', calls_total: 7 });
  });

  it('waits for scheduled calls until shortly after the latest start_time (entry with offset, global in UTC)', async () => {
    const at = Math.ceil((Date.now() + 150) / 1000) * 1000; // the next whole second at least 150 ms away
    expect(parseStartTime(startTime(at, -300))).toBe(at);
    const perEntry = batchBody(hooks.url, ['+14155550101', '+14155550102']);
    perEntry.call_objects[1] = { phone_number: '+14155550102', start_time: startTime(at, -300) } as never;
    const inGlobal = batchBody(hooks.url, ['+14155550101']);
    (inGlobal.global as Record<string, unknown>).start_time = startTime(at); // no offset = UTC
    const ids = await Promise.all([create(sim, perEntry), create(sim, inGlobal)]);
    for (const id of ids) {
      const final = await waitFor(() => finalOf(hooks, id), 5000);
      const statuses = hooks.of(id).map((e) => e.status);
      expect(statuses).toEqual([
        'validating',
        'dispatching',
        'in_progress',
        'waiting_for_scheduled_calls',
        'completed',
      ]);
      expect(Date.parse(final.timestamp as string)).toBeGreaterThanOrEqual(at);
    }
  });

  it('fails asynchronously with source_invalid when an entry has no phone number', async () => {
    const id = await create(sim, batchBody(hooks.url, ['+14155550101', undefined, undefined]));
    const final = await waitFor(() => finalOf(hooks, id));
    expect(hooks.of(id).map((e) => e.status)).toEqual(['validating', 'failed']);
    expect(final).toMatchObject({
      status: 'failed',
      code: 'source_invalid',
      reason: 'Entry #1 did not have a phone number.',
    });
    const reconciled = eventsFromLogs(id, await logsOf(sim, id)).map((e) => e.event);
    expect(reconciled.at(-1)).toMatchObject({ status: 'failed', code: 'source_invalid' });
  });

  it('ends completed_partial when numbers end in 0000 or are invalid (skipped)', async () => {
    const id = await create(sim, batchBody(hooks.url, ['+14155550101', '+14155550000', '12345', '']));
    const final = await waitFor(() => finalOf(hooks, id));
    expect(final).toMatchObject({
      status: 'completed_partial',
      code: 'calls_failed',
      calls_total: 4,
      calls_successful: 1,
      calls_failed: 3,
    });
    const progress = hooks.of(id).find((e) => e.status === 'in_progress_chunked');
    expect(parseProgress(progress!.message as string)).toMatchObject({ requested: 4, validated: 2 });
    const calls = await api(sim, 'GET', `/v1/calls?batch_id=${id}`);
    expect(calls.json.calls.map((c: { queue_status: string }) => c.queue_status)).toEqual([
      'completed',
      'failed',
      'skipped',
      'skipped',
    ]);
  });

  it('rejects invalid create bodies synchronously with the v2 error envelope', async () => {
    const good = batchBody(undefined, ['+14155550101']);
    const cases: [unknown, RegExp][] = [
      [{ call_objects: good.call_objects }, /global is required/],
      [{ ...good, global: { voice: 'maya' } }, /task or pathway_id/],
      [{ ...good, global: { task: 'x', phone_number: '+14155550101' } }, /phone_number is not allowed/],
      [{ ...good, description: 'x'.repeat(61) }, /at most 60/],
      [{ ...good, call_objects: 'nope' }, /call_objects must be an array/],
    ];
    for (const [body, message] of cases) {
      const res = await api(sim, 'POST', '/v2/batches/create', body);
      expect(res.status).toBe(400);
      expect(res.json.data).toBeNull();
      expect(res.json.errors[0].message).toMatch(message);
    }
    expect((await api(sim, 'POST', '/v2/batches/create', { ...good, description: 'x'.repeat(60) })).status).toBe(200);
    // Counted whatever the outcome; the first three bodies replaced `global` and carry no marker.
    expect(sim.createCalls('wf-default')).toBe(3);
    expect(sim.createCalls()).toBe(cases.length + 1);
  });

  it('answers 401 AUTH_FAILURE without the raw key (a Bearer prefix is wrong too)', async () => {
    for (const auth of [null, 'Bearer sim-key', 'other']) {
      const res = await api(sim, 'POST', '/v2/batches/create', batchBody(undefined, ['+14155550101']), auth);
      expect(res.status).toBe(401);
      expect(res.json).toEqual({ error: 'AUTH_FAILURE', message: 'Unauthorized' });
    }
    expect((await api(sim, 'GET', '/v2/batches/list', undefined, null)).status).toBe(401);
    expect(sim.batches()).toHaveLength(0);
  });

  it('stops a running batch: nothing new is dispatched and it ends batch_stopped; stopping again is harmless', async () => {
    const id = await create(sim, batchBody(hooks.url, ['+14155550101']));
    await waitFor(() => hooks.of(id).some((e) => e.status === 'validating'));
    const stop = await api(sim, 'POST', `/v2/batches/${id}/stop`, {});
    expect(stop.json).toEqual({ data: null, errors: null });
    const final = await waitFor(() => finalOf(hooks, id));
    expect(final).toMatchObject({
      status: 'completed_partial',
      code: 'batch_stopped',
      calls_total: 1,
      calls_successful: 0,
    });
    await sleep(100);
    expect(hooks.of(id).some((e) => e.status === 'in_progress')).toBe(false);
    expect((await api(sim, 'POST', `/v2/batches/${id}/stop`, {})).status).toBe(200);
    await sleep(60);
    expect(hooks.of(id).filter((e) => TERMINAL.includes(e.status as string))).toHaveLength(1);
    expect(sim.batches()[0]).toMatchObject({ stop_calls: 2, stopped: true, status: 'completed_partial' });
    expect((await api(sim, 'POST', '/v2/batches/unknown/stop', {})).status).toBe(404);
  });

  describe('create faults', () => {
    it('replies with a queued status (and Retry-After), then behaves again', async () => {
      sim.setFaults({
        create: [
          { kind: 'status', status: 429, retryAfterSec: 3 },
          { kind: 'status', status: 503 },
        ],
      });
      const body = batchBody(undefined, ['+14155550101']);
      const first = await api(sim, 'POST', '/v2/batches/create', body);
      expect(first.status).toBe(429);
      expect(first.headers.get('retry-after')).toBe('3');
      expect(first.json).toEqual({ data: null, errors: [{ error: 'RATE_LIMITED', message: 'Rate limit exceeded' }] });
      expect((await api(sim, 'POST', '/v2/batches/create', body)).status).toBe(503);
      expect((await api(sim, 'POST', '/v2/batches/create', body)).status).toBe(200);
      expect(sim.createCalls('wf-default')).toBe(3);
      expect(sim.batches()).toHaveLength(1);
    });

    it('hangs without replying', async () => {
      sim.setFaults({ create: [{ kind: 'hang' }] });
      const request = fetch(`${sim.url}/v2/batches/create`, {
        method: 'POST',
        headers: { authorization: 'sim-key', 'content-type': 'application/json' },
        body: JSON.stringify(batchBody(undefined, ['+14155550101'])),
        signal: AbortSignal.timeout(150),
      });
      await expect(request).rejects.toThrow(/abort|timeout/i);
      expect(sim.batches()).toHaveLength(0);
    });

    it('drop_after_create creates exactly one batch and loses the reply', async () => {
      sim.setFaults({ create: [{ kind: 'drop_after_create' }] }, 'wf-lost');
      const body = batchBody(hooks.url, ['+14155550101']);
      (body.global.metadata as Record<string, string>)[WORKFLOW_MARKER_KEY] = 'wf-lost';
      await expect(api(sim, 'POST', '/v2/batches/create', body)).rejects.toThrow();
      expect(sim.createCalls('wf-lost')).toBe(1);
      const batches = sim.batches().filter((b) => b.marker === 'wf-lost');
      expect(batches).toHaveLength(1);
      // The batch runs anyway, and can be found again through the list.
      await waitFor(() => finalOf(hooks, batches[0]!.batch_id));
      const list = await api(sim, 'GET', '/v2/batches/list');
      expect(list.json.data.map((b: { id: string }) => b.id)).toContain(batches[0]!.batch_id);
    });

    it('scopes faults to a marker', async () => {
      sim.setFaults({ create: [{ kind: 'status', status: 500, message: 'boom' }] }, 'wf-unlucky');
      expect((await api(sim, 'POST', '/v2/batches/create', batchBody(undefined, ['+14155550101']))).status).toBe(200);
      const body = batchBody(undefined, ['+14155550101']);
      (body.global.metadata as Record<string, string>)[WORKFLOW_MARKER_KEY] = 'wf-unlucky';
      const res = await api(sim, 'POST', '/v2/batches/create', body);
      expect(res.status).toBe(500);
      expect(res.json.errors[0].message).toBe('boom');
    });
  });

  describe('webhook faults', () => {
    it('drops the chosen statuses (still in the logs)', async () => {
      sim.setFaults({ webhooks: { drop: ['dispatching', 'completed'] } });
      const id = await create(sim, batchBody(hooks.url, ['+14155550101']));
      await waitFor(() => sim.batches()[0]?.counts);
      await sleep(40);
      expect(hooks.of(id).map((e) => e.status)).toEqual(['validating', 'in_progress']);
      const logged = (await logsOf(sim, id)).map((l: { payload: { state_change?: string } }) => l.payload.state_change);
      expect(logged).toContain('dispatching');
      expect(logged).toContain('completed');
      const attempts = sim.batches()[0]!.webhooks;
      expect(attempts.find((w) => w.status === 'dispatching')?.delivered).toBe(false);
    });

    it("drops everything with 'all'", async () => {
      sim.setFaults({ webhooks: { drop: 'all' } });
      await create(sim, batchBody(hooks.url, ['+14155550101']));
      await waitFor(() => sim.batches()[0]?.counts);
      await sleep(40);
      expect(hooks.received).toHaveLength(0);
      expect(sim.batches()[0]!.webhooks.every((w) => !w.delivered)).toBe(true);
    });

    it('duplicates the chosen statuses', async () => {
      sim.setFaults({ webhooks: { duplicate: ['completed'] } });
      const id = await create(sim, batchBody(hooks.url, ['+14155550101']));
      await waitFor(() => hooks.of(id).filter((e) => e.status === 'completed').length === 2);
      const [a, b] = hooks.of(id).filter((e) => e.status === 'completed');
      expect(a).toEqual(b);
    });

    it('delays deliveries', async () => {
      sim.setFaults({ webhooks: { delayMs: 150 } });
      const id = await create(sim, batchBody(hooks.url, ['+14155550101']));
      await waitFor(() => sim.batches()[0]?.counts);
      expect(hooks.of(id)).toHaveLength(0); // the whole lifecycle (~100 ms) ran before the first delivery
      await waitFor(() => finalOf(hooks, id));
      expect(hooks.of(id).map((e) => e.status)).toEqual(['validating', 'dispatching', 'in_progress', 'completed']);
    });

    it('reorders: every event at the end, newest first', async () => {
      sim.setFaults({ webhooks: { reorder: true } });
      const id = await create(sim, batchBody(hooks.url, ['+14155550101']));
      await waitFor(() => hooks.of(id).length === 4);
      expect(hooks.of(id).map((e) => e.status)).toEqual(['completed', 'in_progress', 'dispatching', 'validating']);
    });
  });

  it('exposes faults, batches, create counts and reset over HTTP', async () => {
    const bad = await api(sim, 'POST', '/admin/faults', { faults: { create: [{ kind: 'explode' }] } }, null);
    expect(bad.status).toBe(400);
    const set = await api(
      sim,
      'POST',
      '/admin/faults',
      { marker: 'wf-x', faults: { create: [{ kind: 'status', status: 502 }] } },
      null,
    );
    expect(set.json).toEqual({ ok: true });
    const body = batchBody(undefined, ['+14155550101']);
    (body.global.metadata as Record<string, string>)[WORKFLOW_MARKER_KEY] = 'wf-x';
    expect((await api(sim, 'POST', '/v2/batches/create', body)).status).toBe(502);
    expect((await api(sim, 'POST', '/v2/batches/create', body)).status).toBe(200);
    expect((await api(sim, 'GET', '/admin/create-calls?marker=wf-x', undefined, null)).json).toEqual({
      marker: 'wf-x',
      count: 2,
    });
    const batches = await api(sim, 'GET', '/admin/batches', undefined, null);
    expect(batches.json.data).toHaveLength(1);
    expect(batches.json.data[0]).toMatchObject({ marker: 'wf-x', calls: 1, description: 'sim test' });
    expect((await api(sim, 'POST', '/admin/reset', {}, null)).json).toEqual({ ok: true });
    expect(sim.batches()).toHaveLength(0);
    expect(sim.createCalls('wf-x')).toBe(0);
  });
});

describe('Bland simulator options', () => {
  let hooks: Receiver;
  const sims: BlandSimulator[] = [];
  beforeAll(async () => {
    hooks = await startReceiver();
  });
  afterEach(async () => {
    await Promise.all(sims.splice(0).map((s) => s.close()));
  });
  afterAll(() => hooks.close());

  it('sends no final event after a stop when stopSendsFinal is false', async () => {
    const sim = await startBlandSimulator({ stepMs: 20, stopSendsFinal: false });
    sims.push(sim);
    const id = await create(sim, batchBody(hooks.url, ['+14155550101']));
    await waitFor(() => hooks.of(id).some((e) => e.status === 'dispatching'));
    await api(sim, 'POST', `/v2/batches/${id}/stop`, {});
    await sleep(150);
    expect(hooks.of(id).map((e) => e.status)).toEqual(['validating', 'dispatching']);
    expect(sim.batches()[0]).toMatchObject({ status: 'dispatching', stopped: true, stop_calls: 1 });
  });

  it('signs webhooks like Bland when a secret is configured, with a custom api key', async () => {
    const sim = await startBlandSimulator({ stepMs: 20, apiKey: 'custom-key', webhookSecret: 'whsec' });
    sims.push(sim);
    const res = await api(sim, 'POST', '/v2/batches/create', batchBody(hooks.url, ['+14155550101']), 'custom-key');
    const id = res.json.data.batch_id as string;
    await waitFor(() => hooks.received.find((r) => r.body.batch_id === id));
    const first = hooks.received.find((r) => r.body.batch_id === id)!;
    const expected = createHmac('sha256', 'whsec').update(JSON.stringify(first.body)).digest('hex');
    expect(first.headers['x-webhook-signature']).toBe(expected);
  });

  it('keeps nothing running after close: pending phases are never sent', async () => {
    const sim = await startBlandSimulator({ stepMs: 30 });
    const id = await create(sim, batchBody(hooks.url, ['+14155550101']));
    await sim.close();
    await sleep(200);
    expect(hooks.of(id)).toHaveLength(0);
    await expect(fetch(`${sim.url}/v2/batches/list`)).rejects.toThrow();
  });
});

import { randomUUID } from 'node:crypto';
import { validate } from '@readme/openapi-parser';
import { Client, Connection } from '@temporalio/client';
import Ajv2020 from 'ajv/dist/2020';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app';
import { listen, type RunningServer } from '../../src/api/serve';
import { BatchClient } from '../../src/client';
import { parseConfig } from '../../src/config';
import { freePort } from '../../src/dev/temporal-server';
import { createLogger } from '../../src/logger';
import { hmacHex, webhookToken } from '../../src/webhook-token';
import { connectTemporal, type TemporalTestContext, terminateAll, uniqueTaskQueue } from '../support/temporal';

/** Health, readiness, metrics, the OpenAPI document and what the logs may (not) contain. */

// biome-ignore lint/suspicious/noExplicitAny: replies are JSON, checked by the assertions
type Json = any;

const TOKEN = 'ops-api-token-000000001';
const TOKEN_SECRET = 'ops-webhook-token-secret-1';
const BLAND_SECRET = 'ops-bland-signing-secret-1';

let ctx: TemporalTestContext;
let api: RunningServer;
let deadApi: RunningServer;
let deadConnection: Connection;
const logLines: string[] = [];
const started: string[] = [];

const config = parseConfig({
  API_TOKENS: TOKEN,
  WEBHOOK_TOKEN_SECRET: TOKEN_SECRET,
  BLAND_WEBHOOK_SECRET: BLAND_SECRET,
  LOG_LEVEL: 'debug',
});

beforeAll(async () => {
  ctx = await connectTemporal();
  const batches = new BatchClient({
    client: ctx.client,
    taskQueue: uniqueTaskQueue('api-ops'),
    workerTimeoutMs: 1_000,
  });
  const logger = createLogger({ level: 'debug', destination: { write: (line: string) => logLines.push(line) } });
  api = await listen(createApp({ config, batches, logger }), { port: 0, host: '127.0.0.1' });

  // A second app whose Temporal is a port nobody listens on.
  deadConnection = Connection.lazy({ address: `127.0.0.1:${await freePort()}` });
  const dead = new BatchClient({
    client: new Client({ connection: deadConnection }),
    taskQueue: 'nowhere',
    rpcTimeoutMs: 1_500,
  });
  deadApi = await listen(
    createApp({ config, batches: dead, logger: createLogger({ level: 'silent' }), readinessTimeoutMs: 1_000 }),
    { port: 0, host: '127.0.0.1' },
  );
});

afterAll(async () => {
  await terminateAll(ctx, started);
  await api?.close();
  await deadApi?.close();
  await deadConnection?.close().catch(() => {});
  await ctx?.close();
});

describe('health', () => {
  it('/healthz is always 200; /readyz is 200 when Temporal answers', async () => {
    expect((await fetch(`${api.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${api.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ok' });
  });

  it('/readyz is 503 (quickly) when Temporal is unreachable, while /healthz stays 200', async () => {
    expect((await fetch(`${deadApi.url}/healthz`)).status).toBe(200);
    const t0 = Date.now();
    const res = await fetch(`${deadApi.url}/readyz`);
    expect(res.status).toBe(503);
    expect(((await res.json()) as Json).error.code).toBe('temporal_unavailable');
    expect(Date.now() - t0).toBeLessThan(5_000);
  });

  it('answers 503, not a hang or a 500, for batch and webhook calls while Temporal is unreachable', async () => {
    const submit = await fetch(`${deadApi.url}/v1/batches`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ call_objects: [{ phone_number: '+14155550101' }], global: { task: 't' } }),
    });
    expect(submit.status).toBe(503);
    const id = `batch-${randomUUID()}`;
    const body = JSON.stringify({ batch_id: 'b', status: 'validating', timestamp: new Date().toISOString() });
    const t0 = Date.now();
    const hook = await fetch(`${deadApi.url}/v1/webhooks/bland/${id}?token=${webhookToken(TOKEN_SECRET, id)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-webhook-signature': hmacHex(BLAND_SECRET, body) },
      body,
    });
    expect(hook.status).toBe(503);
    expect(Date.now() - t0).toBeLessThan(8_000); // well inside Bland's 10 s
  });
});

describe('GET /openapi.json', () => {
  it('is a valid OpenAPI 3.1 document covering every route', async () => {
    const doc = (await (await fetch(`${api.url}/openapi.json`)).json()) as Json;
    expect(doc.openapi).toBe('3.1.0');
    const result = await validate(structuredClone(doc));
    expect(result.valid ? [] : result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
    expect(Object.keys(doc.paths).sort()).toEqual(
      [
        '/healthz',
        '/metrics',
        '/openapi.json',
        '/readyz',
        '/v1/batches',
        '/v1/batches/{id}',
        '/v1/batches/{id}/cancel',
        '/v1/webhooks/bland/{id}',
      ].sort(),
    );
    expect(Object.keys(doc.components.securitySchemes)).toEqual(['bearerAuth', 'webhookToken', 'blandSignature']);
    expect(doc.components.schemas).toHaveProperty('Error');
    expect(doc.components.schemas).toHaveProperty('BatchSubmission');
    expect(doc.components.schemas).toHaveProperty('CallObject');
    expect(doc.components.schemas).toHaveProperty('BlandStatusEvent');
    expect(doc.paths['/v1/webhooks/bland/{id}'].post.security).not.toContainEqual({ bearerAuth: [] });
  });

  it("describes what the API really accepts and answers (ajv over the document's schemas)", async () => {
    const doc = (await (await fetch(`${api.url}/openapi.json`)).json()) as Json;
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    ajv.addSchema({ ...doc, $id: 'api' }, 'api');
    const check = (name: string, value: unknown) => {
      const validateOne = ajv.getSchema(`api#/components/schemas/${name}`);
      if (!validateOne) throw new Error(`no schema ${name}`);
      const ok = validateOne(value);
      expect(ok, `${name}: ${JSON.stringify(validateOne.errors)}`).toBe(true);
    };
    const submission = {
      call_objects: [{ phone_number: '+14155550101', request_data: { name: 'Ada' } }],
      global: { task: 'Confirm the appointment.', voice: 'maya' },
      options: { deadline: '2h' },
    };
    check('BatchSubmission', submission);
    expect(ajv.getSchema('api#/components/schemas/BatchSubmission')?.({ call_objects: [], global: {} })).toBe(false);
    check('BlandStatusEvent', {
      batch_id: 'b1',
      status: 'completed',
      timestamp: '2026-11-30T10:00:00Z',
      calls_total: 2,
    });

    const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
    const accepted = await fetch(`${api.url}/v1/batches`, {
      method: 'POST',
      headers,
      body: JSON.stringify(submission),
    });
    expect(accepted.status).toBe(202);
    const acceptedBody = (await accepted.json()) as Json;
    started.push(acceptedBody.id);
    check('BatchAccepted', acceptedBody);
    const invalid = await fetch(`${api.url}/v1/batches`, { method: 'POST', headers, body: '{"global":{}}' });
    check('Error', await invalid.json());
    const page = await fetch(`${api.url}/v1/batches?limit=5`, { headers });
    check('BatchPage', await page.json());
    // No worker polls this task queue: GET still answers, with what Temporal knows.
    const unobserved = await fetch(`${api.url}/v1/batches/${acceptedBody.id}`, { headers });
    check('BatchDetails', await unobserved.json());
    await ctx.client.workflow.getHandle(acceptedBody.id).terminate('done');
    const closed = await fetch(`${api.url}/v1/batches/${acceptedBody.id}`, { headers });
    check('BatchDetails', await closed.json());
  });
});

describe('GET /metrics', () => {
  it('exposes request counts and latency by route pattern, webhook rejections, batches started, process metrics', async () => {
    const headers = { authorization: `Bearer ${TOKEN}` };
    const unknownId = `batch-${randomUUID()}`;
    await fetch(`${api.url}/v1/batches/${unknownId}`, { headers });
    await fetch(`${api.url}/v1/webhooks/bland/${unknownId}?token=wrong`, { method: 'POST', body: '{}' });
    const res = await fetch(`${api.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(text).toMatch(/http_requests_total\{method="GET",route="\/v1\/batches\/:id",status="404"\} \d+/);
    expect(text).toMatch(
      /http_request_duration_seconds_bucket\{le="[^"]+",method="GET",route="\/v1\/batches\/:id",status="404"\}/,
    );
    expect(text).toMatch(/http_requests_total\{method="POST",route="\/v1\/webhooks\/bland\/:id",status="401"\} \d+/);
    expect(text).toMatch(/bland_webhook_rejections_total\{reason="invalid_token"\} [1-9]/);
    expect(text).toMatch(/^batches_started_total \d+/m);
    expect(text).not.toContain('route="unmatched",status="401"');
    expect(text).toMatch(/^bland_webhook_signals_sent_total \d+/m);
    expect(text).toMatch(/^process_cpu_user_seconds_total /m);
    expect(text).not.toContain(unknownId); // route patterns only, never raw URLs
  });
});

describe('logs', () => {
  it('are JSON lines with a request id (honoured or generated) and hold no secret, token or full phone number', async () => {
    const given = `req-${randomUUID()}`;
    const echoed = await fetch(`${api.url}/healthz`, { headers: { 'x-request-id': given } });
    expect(echoed.headers.get('x-request-id')).toBe(given);
    const generated = await fetch(`${api.url}/healthz`, { headers: { 'x-request-id': 'bad id with spaces' } });
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);

    const phoneDigits = ['14155550123', '14155550124', '4155550125', '14155550126'];
    const wrongBearer = 'not-the-token-but-secret-looking-123';
    const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

    // A valid batch whose key, id and path carry a phone-like number.
    const ok = await fetch(`${api.url}/v1/batches`, {
      method: 'POST',
      headers: { ...headers, 'idempotency-key': phoneDigits[0]! },
      body: JSON.stringify({
        call_objects: [{ phone_number: `+${phoneDigits[1]}` }],
        global: { task: `Call +${phoneDigits[1]} back`, transfer_phone_number: `+${phoneDigits[1]}` },
      }),
    });
    expect([200, 202]).toContain(ok.status);
    started.push(`batch-${phoneDigits[0]}`);
    await fetch(`${api.url}/v1/batches/batch-${phoneDigits[0]}`, { headers });
    // An invalid one, a wrong bearer.
    await fetch(`${api.url}/v1/batches`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ call_objects: [{ phone_number: phoneDigits[2] }], global: {} }),
    });
    await fetch(`${api.url}/v1/batches`, { headers: { authorization: `Bearer ${wrongBearer}` } });
    // Webhooks: a right token with a wrong signature, a right token and signature to an unknown workflow.
    const id = `batch-${randomUUID()}`;
    const token = webhookToken(TOKEN_SECRET, id);
    const event = JSON.stringify({
      batch_id: 'b',
      status: 'failed',
      reason: `Entry +${phoneDigits[3]} invalid`,
      timestamp: new Date().toISOString(),
    });
    const signature = hmacHex(BLAND_SECRET, event);
    await fetch(`${api.url}/v1/webhooks/bland/${id}?token=${token}`, {
      method: 'POST',
      headers: { 'x-webhook-signature': 'f'.repeat(64) },
      body: event,
    });
    const unknown = await fetch(`${api.url}/v1/webhooks/bland/${id}?token=${token}`, {
      method: 'POST',
      headers: { 'x-webhook-signature': signature },
      body: event,
    });
    expect(unknown.status).toBe(404);

    const text = logLines.join('');
    const lines = logLines.flatMap((chunk) => chunk.split('\n').filter(Boolean)).map((l) => JSON.parse(l));
    const access = lines.filter((l) => l.msg === 'request');
    expect(access.find((l) => l.req_id === given)).toMatchObject({ route: '/healthz', status: 200 });
    expect(access.some((l) => l.route === '/v1/webhooks/bland/:id' && l.status === 404)).toBe(true);
    expect(text).toContain('***0123'); // masked, not dropped

    for (const secret of [TOKEN, TOKEN_SECRET, BLAND_SECRET, wrongBearer, token, signature, ...phoneDigits]) {
      expect(text, `log output contains ${secret}`).not.toContain(secret);
    }
    expect(text).not.toMatch(/authorization/i);
  });
});

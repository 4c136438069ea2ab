import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BlandApiError, BlandClient, LOG_PAGE_SIZE, MAX_LOG_PAGES, parseRetryAfter } from '../../src/bland/client';
import { WORKFLOW_MARKER_KEY } from '../../src/bland/schemas';
import { type BlandSimulator, startBlandSimulator } from '../../src/dev/bland-simulator';

const body = (marker = 'wf-client', phones = ['+14155550101']) => ({
  description: 'client test',
  global: { task: 'Say hello', metadata: { [WORKFLOW_MARKER_KEY]: marker } },
  call_objects: phones.map((phone_number) => ({ phone_number })),
});

async function caught(promise: Promise<unknown>): Promise<BlandApiError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(BlandApiError);
    return error as BlandApiError;
  }
  throw new Error('expected the call to fail');
}

async function waitFor<T>(probe: () => Promise<T | undefined | false>, timeoutMs = 3000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A scripted HTTP server on 127.0.0.1 for replies the simulator never gives (odd bodies, echoed secrets). */
type Handler = (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void;
async function startScripted() {
  let handler: Handler = (_req, res) => res.end();
  const requests: { method?: string; url?: string; headers: http.IncomingHttpHeaders; body: string }[] = [];
  const server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => {
      text += c.toString('utf8');
    });
    req.on('end', () => {
      requests.push({ method: req.method, url: req.url, headers: req.headers, body: text });
      handler(req, res, text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    reply(next: Handler) {
      handler = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
const json = (res: http.ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(value));
};

describe('BlandClient against the simulator', () => {
  let sim: BlandSimulator;
  let client: BlandClient;
  beforeAll(async () => {
    sim = await startBlandSimulator({ stepMs: 10, chunkSize: 1, callMs: 1 });
    client = new BlandClient({ baseUrl: `${sim.url}/`, apiKey: 'sim-key', timeoutMs: 2000 });
  });
  afterAll(() => sim.close());
  beforeEach(() => sim.reset());

  it('creates, gets, lists, reads logs and stops', async () => {
    const { batch_id } = await client.createBatch(body());
    const record = await client.getBatch(batch_id);
    expect(record.id).toBe(batch_id);
    expect(JSON.parse(record.base_prompt!).metadata[WORKFLOW_MARKER_KEY]).toBe('wf-client');
    const second = await client.createBatch(body('wf-other'));
    expect((await client.listBatches()).map((b) => b.id)).toEqual([second.batch_id, batch_id]);
    expect((await client.listBatches({ take: 1, skip: 1 })).map((b) => b.id)).toEqual([batch_id]);

    await waitFor(async () => (await client.getLogs(batch_id)).some((e) => e.event_type === 'complete'));
    const asc = await client.getLogs(batch_id, { direction: 'asc', take: 2 });
    expect(asc.map((e) => e.payload?.state_change)).toEqual(['validating', 'dispatching']);
    const desc = await client.getLogs(batch_id, { direction: 'desc', take: 1 });
    expect(desc[0]?.event_type).toBe('complete');

    await expect(client.stopBatch(second.batch_id)).resolves.toBeUndefined();
    await expect(client.stopBatch(batch_id)).resolves.toBeUndefined(); // already finished: harmless
    expect(sim.batches().find((b) => b.batch_id === second.batch_id)?.stop_calls).toBe(1);
  });

  it('reads every log entry across pages, oldest first', async () => {
    const phones = Array.from({ length: 130 }, (_, i) => `+1415555${String(1000 + i).padStart(4, '0')}`);
    const { batch_id } = await client.createBatch(body('wf-many', phones));
    const logs = await waitFor(async () => {
      const all = await client.getAllLogs(batch_id);
      return all.some((e) => e.event_type === 'complete') && all;
    }, 5000);
    expect(logs.length).toBeGreaterThan(LOG_PAGE_SIZE);
    expect(logs.filter((e) => e.payload?.state_change === 'in_progress_chunked')).toHaveLength(130);
    expect(logs.map((e) => Number(e.id))).toEqual([...logs.map((e) => Number(e.id))].sort((a, b) => a - b));
    expect(new Set(logs.map((e) => e.id)).size).toBe(logs.length);
  });

  it('classifies a 400 as not retryable, with Bland’s message', async () => {
    const error = await caught(client.createBatch({ call_objects: [] }));
    expect(error).toMatchObject({ kind: 'http', status: 400, retryable: false, operation: 'createBatch' });
    expect(error.blandMessage).toMatch(/global is required/);
    expect(error.message).toMatch(/createBatch.*HTTP 400.*global is required/);
  });

  it('classifies a 401 as not retryable', async () => {
    const wrong = new BlandClient({ baseUrl: sim.url, apiKey: 'not-the-key-123' });
    const error = await caught(wrong.getBatch('x'));
    expect(error).toMatchObject({
      kind: 'http',
      status: 401,
      retryable: false,
      blandMessage: 'AUTH_FAILURE: Unauthorized',
    });
    expect(error.message).not.toContain('not-the-key-123');
  });

  it('classifies a 404 as not retryable', async () => {
    const error = await caught(client.getBatch('does-not-exist'));
    expect(error).toMatchObject({ kind: 'http', status: 404, retryable: false, operation: 'getBatch' });
  });

  it('classifies 429 with Retry-After and 5xx as retryable', async () => {
    sim.setFaults({
      create: [
        { kind: 'status', status: 429, retryAfterSec: 7 },
        { kind: 'status', status: 500 },
        { kind: 'status', status: 408 },
      ],
    });
    const limited = await caught(client.createBatch(body()));
    expect(limited).toMatchObject({ kind: 'http', status: 429, retryable: true, retryAfterMs: 7000 });
    expect(limited.message).toMatch(/HTTP 429: RATE_LIMITED: Rate limit exceeded \(retry after 7000 ms\)/);
    expect(await caught(client.createBatch(body()))).toMatchObject({ status: 500, retryable: true });
    expect(await caught(client.createBatch(body()))).toMatchObject({ status: 408, retryable: true });
  });

  it('times out on a create that never replies', async () => {
    sim.setFaults({ create: [{ kind: 'hang' }] });
    const quick = new BlandClient({ baseUrl: sim.url, apiKey: 'sim-key', timeoutMs: 150 });
    const started = Date.now();
    const error = await caught(quick.createBatch(body()));
    expect(error).toMatchObject({ kind: 'timeout', retryable: true, operation: 'createBatch' });
    expect(error.message).toMatch(/within 150 ms/);
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('reports a dropped connection as a retryable network error (and the batch exists once)', async () => {
    sim.setFaults({ create: [{ kind: 'drop_after_create' }] });
    const error = await caught(client.createBatch(body('wf-dropped')));
    expect(error).toMatchObject({ kind: 'network', retryable: true });
    expect(sim.createCalls('wf-dropped')).toBe(1);
    const found = (await client.listBatches()).filter(
      (b) => JSON.parse(b.base_prompt ?? '{}').metadata?.[WORKFLOW_MARKER_KEY] === 'wf-dropped',
    );
    expect(found).toHaveLength(1);
  });

  it('reports a refused connection as a retryable network error', async () => {
    const scripted = await startScripted();
    const url = scripted.url;
    await scripted.close();
    const error = await caught(new BlandClient({ baseUrl: url, apiKey: 'sim-key' }).listBatches());
    expect(error).toMatchObject({ kind: 'network', retryable: true, operation: 'listBatches' });
    expect(error.message).toMatch(/ECONNREFUSED/);
  });

  it('honours an external abort signal without retrying', async () => {
    sim.setFaults({ create: [{ kind: 'hang' }] });
    const controller = new AbortController();
    const aborted = new BlandClient({ baseUrl: sim.url, apiKey: 'sim-key', signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    expect(await caught(aborted.createBatch(body()))).toMatchObject({ kind: 'network', retryable: false });
  });
});

describe('BlandClient with scripted replies', () => {
  const KEY = 'sk-live-SECRET-api-key-0123456789';
  const ENCRYPTED = 'enc-SECRET-twilio-key-9876543210';
  let server: Awaited<ReturnType<typeof startScripted>>;
  let client: BlandClient;
  beforeAll(async () => {
    server = await startScripted();
    client = new BlandClient({ baseUrl: server.url, apiKey: KEY, encryptedKey: ENCRYPTED, timeoutMs: 1000 });
  });
  afterAll(() => server.close());
  beforeEach(() => {
    server.requests.length = 0;
  });

  it('sends the raw key (no Bearer), encrypted_key and a JSON body', async () => {
    server.reply((_req, res) => json(res, 200, { data: { batch_id: 'b-1' }, errors: null }));
    await expect(client.createBatch(body())).resolves.toEqual({ batch_id: 'b-1' });
    const [request] = server.requests;
    expect(request).toMatchObject({ method: 'POST', url: '/v2/batches/create' });
    expect(request!.headers.authorization).toBe(KEY);
    expect(request!.headers.encrypted_key).toBe(ENCRYPTED);
    expect(request!.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request!.body)).toEqual(body());

    server.reply((_req, res) => json(res, 200, { data: [], errors: null }));
    await client.getLogs('a b/c', { take: 5, skip: 10, direction: 'asc' });
    expect(server.requests[1]!.url).toBe('/v2/batches/a%20b%2Fc/logs?take=5&skip=10&direction=asc');
  });

  it('parses the v1 error style, HTTP-date Retry-After and the request id', async () => {
    const retryAt = new Date(Date.now() + 30_000).toUTCString();
    server.reply((_req, res) =>
      json(
        res,
        503,
        { status: 'error', message: 'Service busy', errors: ['try later'] },
        {
          'retry-after': retryAt,
          'x-request-id': 'req-42',
        },
      ),
    );
    const error = await caught(client.listBatches());
    expect(error).toMatchObject({ kind: 'http', status: 503, retryable: true, requestId: 'req-42' });
    expect(error.retryAfterMs).toBeGreaterThan(25_000);
    expect(error.retryAfterMs).toBeLessThanOrEqual(30_000);
    expect(error.blandMessage).toBe('Service busy (try later)');
    expect(error.message).toMatch(/HTTP 503: Service busy \(try later\).*request id req-42/);
  });

  it('keeps a non-JSON error body as a short message', async () => {
    server.reply((_req, res) => res.writeHead(502, { 'content-type': 'text/html' }).end('<html>Bad gateway</html>'));
    const error = await caught(client.getBatch('b-1'));
    expect(error).toMatchObject({
      kind: 'http',
      status: 502,
      retryable: true,
      blandMessage: '<html>Bad gateway</html>',
    });
  });

  it('treats an unparseable 2xx as a retryable invalid_reply', async () => {
    server.reply((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>maintenance</html>'));
    const notJson = await caught(client.getBatch('b-1'));
    expect(notJson).toMatchObject({ kind: 'invalid_reply', status: 200, retryable: true });
    expect(notJson.message).toMatch(/not JSON: <html>maintenance/);
    server.reply((_req, res) => json(res, 200, { data: { nope: true } }));
    const wrongShape = await caught(client.createBatch(body()));
    expect(wrongShape).toMatchObject({ kind: 'invalid_reply', retryable: true });
    expect(wrongShape.message).toMatch(/unexpected body: data\.batch_id/);
    server.reply((_req, res) => json(res, 200, { data: null, errors: [{ error: 'NOT_FOUND', message: 'gone' }] }));
    expect(await caught(client.getBatch('b-1'))).toMatchObject({
      kind: 'invalid_reply',
      blandMessage: 'NOT_FOUND: gone',
    });
  });

  it('stops after a bounded number of log pages (plus the newest page), and copes with a server that ignores take', async () => {
    let next = 0;
    server.reply((req, res) => {
      const take = Number(new URL(req.url!, 'http://x').searchParams.get('take'));
      const data = Array.from({ length: take }, () => ({
        id: ++next,
        batch_id: 'b',
        event_type: 'lifecycle',
        timestamp: new Date().toISOString(),
        payload: { state_change: 'in_progress_chunked' },
      }));
      json(res, 200, { data });
    });
    const logs = await client.getAllLogs('b');
    expect(server.requests).toHaveLength(MAX_LOG_PAGES + 1);
    expect(server.requests.at(-1)!.url).toMatch(/skip=0&direction=desc/);
    expect(logs).toHaveLength(LOG_PAGE_SIZE * (MAX_LOG_PAGES + 1));
    // The newest page comes last, oldest first within it.
    expect(logs.at(-1)!.id).toBe(LOG_PAGE_SIZE * MAX_LOG_PAGES + 1);

    server.requests.length = 0;
    const everything = Array.from({ length: 150 }, (_, i) => ({
      id: i,
      batch_id: 'b',
      event_type: 'x',
      timestamp: 't',
    }));
    server.reply((_req, res) => json(res, 200, { data: everything }));
    expect(await client.getAllLogs('b')).toHaveLength(150);
    expect(server.requests).toHaveLength(1);
  });

  it('never leaks the api key or the encrypted key, even when Bland echoes them', async () => {
    const echo: Handler = (req, res) =>
      json(
        res,
        Number(new URL(req.url!, 'http://x').searchParams.get('status') ?? 400),
        {
          data: null,
          errors: [{ error: 'BAD', message: `key ${req.headers.authorization} enc ${req.headers.encrypted_key}` }],
        },
        { 'x-request-id': `${req.headers.authorization}` },
      );
    server.reply(echo);
    const errors = [
      await caught(client.listBatches({ take: 1 })), // 400 (status param absent)
      await caught(client.getLogs('b', { skip: 0 })),
    ];
    server.reply((req, res) =>
      res.writeHead(200).end(`not json ${req.headers.authorization} ${req.headers.encrypted_key}`),
    );
    errors.push(await caught(client.getBatch('b')));
    server.reply((req, res) => json(res, 200, { data: { weird: req.headers.authorization } }));
    errors.push(await caught(client.createBatch(body())));
    errors.push(
      await caught(
        new BlandClient({ baseUrl: 'http://127.0.0.1:1', apiKey: KEY, encryptedKey: ENCRYPTED }).getBatch('b'),
      ),
    );

    expect(errors[0]!.blandMessage).toContain('[redacted]');
    for (const error of errors) {
      for (const text of [
        error.message,
        error.stack ?? '',
        JSON.stringify(error),
        String(error),
        error.blandMessage ?? '',
      ]) {
        expect(text).not.toContain(KEY);
        expect(text).not.toContain(ENCRYPTED);
        expect(text).not.toContain('SECRET');
      }
    }
  });

  it('survives JSON serialization with every field', async () => {
    server.reply((_req, res) =>
      json(res, 429, { error: 'RATE_LIMITED', message: 'slow down' }, { 'retry-after': '2' }),
    );
    const error = await caught(client.listBatches());
    const copy = JSON.parse(JSON.stringify(error));
    expect(copy).toEqual({
      name: 'BlandApiError',
      message: error.message,
      kind: 'http',
      operation: 'listBatches',
      retryable: true,
      status: 429,
      retryAfterMs: 2000,
      blandMessage: 'RATE_LIMITED: slow down',
    });
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates, ignores nonsense', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('1.5', now)).toBe(1500);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });
});

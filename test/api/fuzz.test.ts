import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app';
import { listen, type RunningServer } from '../../src/api/serve';
import { batchSubmissionSchema } from '../../src/bland/options';
import { statusEventSchema } from '../../src/bland/schemas';
import { BatchClient, IDEMPOTENCY_KEY, submissionHash } from '../../src/client';
import { parseConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { hmacHex, webhookToken } from '../../src/webhook-token';
import { connectTemporal, type TemporalTestContext, terminateAll, uniqueTaskQueue } from '../support/temporal';

/**
 * Property: whatever arrives — valid bodies, valid bodies with a few random mutations, arbitrary
 * JSON, non-JSON — the API never answers 5xx, accepts exactly what the schemas accept, and starts
 * a workflow only for a valid submission (checked against Temporal's own count afterwards).
 */

const TOKEN = 'fuzz-api-token-000000001';
const TOKEN_SECRET = 'fuzz-webhook-token-secret';
const BLAND_SECRET = 'fuzz-bland-signing-secret';
const RUNS = Number(process.env.FUZZ_RUNS ?? 1_000); // per route: 2,000 requests in all

let ctx: TemporalTestContext;
let api: RunningServer;
let taskQueue: string;
let target: string; // a running workflow the webhooks address
const started = new Set<string>();

beforeAll(async () => {
  ctx = await connectTemporal();
  taskQueue = uniqueTaskQueue('api-fuzz');
  const batches = new BatchClient({ client: ctx.client, taskQueue });
  const config = parseConfig({
    API_TOKENS: TOKEN,
    WEBHOOK_TOKEN_SECRET: TOKEN_SECRET,
    BLAND_WEBHOOK_SECRET: BLAND_SECRET,
    WEBHOOK_BODY_LIMIT_BYTES: '8192',
  });
  api = await listen(
    createApp({ config, batches, logger: createLogger({ level: 'silent' }), batchBodyLimitBytes: 32 * 1024 }),
    { port: 0, host: '127.0.0.1' },
  );
  const { id } = await batches.start(validSubmissionExample());
  target = id;
});

afterAll(async () => {
  await terminateAll(
    ctx,
    [...started, target].filter((id): id is string => Boolean(id)),
  );
  await api?.close();
  await ctx?.close();
});

function validSubmissionExample() {
  return { call_objects: [{ phone_number: '+14155550100' }], global: { task: 'Say hello.' } };
}

// --- generators ----------------------------------------------------------------------------------

const phone = fc.integer({ min: 1_000_000, max: 9_999_999 }).map((n) => `+1415${n}`);
const duration = fc.constantFrom('30s', '15m', '2h', '1h30m', '7d', '500ms');

const validSubmission = fc.record(
  {
    call_objects: fc.array(
      fc.record(
        {
          phone_number: phone,
          task: fc.string({ minLength: 1, maxLength: 20 }),
          request_data: fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 2 }),
          start_time: fc.constantFrom('2026-12-01 09:30:00 -05:00', '2026-12-01 09:30:00'),
          temperature: fc.double({ min: 0, max: 1, noNaN: true }),
        },
        { requiredKeys: ['phone_number'] },
      ),
      { minLength: 1, maxLength: 4 },
    ),
    global: fc.record(
      {
        task: fc.string({ minLength: 1, maxLength: 40 }),
        voice: fc.constantFrom('maya', 'josh'),
        max_duration: fc.integer({ min: 1, max: 60 }),
        record: fc.boolean(),
        metadata: fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 2 }),
      },
      { requiredKeys: ['task'] },
    ),
    description: fc.string({ maxLength: 60 }),
    status_webhook: fc.constantFrom('https://caller.example/hooks/bland', 'http://127.0.0.1:9/x'),
    options: fc.record(
      {
        deadline: duration,
        quiet_timeout: duration,
        cancel_grace: fc.constantFrom('0s', '30s'),
        on_deadline: fc.constantFrom('stop', 'leave'),
      },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: ['call_objects', 'global'] },
);

const validEvent = fc.record(
  {
    batch_id: fc.uuid(),
    status: fc.constantFrom('validating', 'dispatching', 'in_progress', 'in_progress_chunked', 'completed', 'failed'),
    timestamp: fc
      .date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true })
      .map((d) => d.toISOString()),
    message: fc.string({ maxLength: 40 }),
    calls_total: fc.nat(1000),
    calls_successful: fc.nat(1000),
    calls_failed: fc.nat(1000),
    code: fc.constantFrom('source_invalid', 'batch_early_exit'),
    reason: fc.string({ maxLength: 40 }),
  },
  { requiredKeys: ['batch_id', 'status', 'timestamp'] },
);

/** A few edits at random places of a JSON value: delete, replace with any JSON, add a key, retype. */
type Edit = { at: number; op: 'delete' | 'replace' | 'add' | 'stringify' | 'empty'; value: unknown; key: string };
const edits = fc.array(
  fc.record({
    at: fc.nat(),
    op: fc.constantFrom('delete', 'replace', 'add', 'stringify', 'empty'),
    value: fc.oneof(
      fc.jsonValue({ maxDepth: 2 }),
      fc.constantFrom('', '555-0101', '+1', '+123456789012345678', 'x'.repeat(70), -1, 1.5, null, true, []),
    ),
    key: fc.oneof(
      fc.string({ maxLength: 8 }),
      fc.constantFrom('phone_number', 'task', 'status', 'batch_id', 'timestamp', 'calls_total', 'deadline'),
    ),
  }),
  { minLength: 1, maxLength: 3 },
) as fc.Arbitrary<Edit[]>;

type Slot = { parent: Record<string, unknown> | unknown[]; key: string | number };
function slots(value: unknown, out: Slot[] = []): Slot[] {
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      out.push({ parent: value, key: i });
      slots(v, out);
    });
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      out.push({ parent: value as Record<string, unknown>, key: k });
      slots(v, out);
    }
  }
  return out;
}

function mutate(original: unknown, list: Edit[]): unknown {
  const value = structuredClone(original);
  for (const edit of list) {
    const all = slots(value);
    if (all.length === 0) return edit.value;
    const { parent, key } = all[edit.at % all.length]!;
    const p = parent as Record<string | number, unknown>;
    if (edit.op === 'delete') {
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete p[key];
    } else if (edit.op === 'replace') p[key] = edit.value;
    else if (edit.op === 'stringify') p[key] = JSON.stringify(p[key]) ?? 'undefined';
    else if (edit.op === 'empty') p[key] = Array.isArray(p[key]) ? [] : typeof p[key] === 'string' ? '' : {};
    else if (!Array.isArray(parent)) p[edit.key] = edit.value;
  }
  return value;
}

/** A request body: valid, mutated valid, arbitrary JSON, or not JSON at all. */
function bodies(valid: fc.Arbitrary<unknown>): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 2, arbitrary: valid.map((v) => JSON.stringify(v)) },
    { weight: 5, arbitrary: fc.tuple(valid, edits).map(([v, e]) => JSON.stringify(mutate(v, e)) ?? '') },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
    {
      weight: 1,
      arbitrary: fc.oneof(
        fc.string({ maxLength: 60 }),
        valid.map((v) => JSON.stringify(v).slice(0, -2)),
      ),
    },
  );
}

function parses<T>(schema: { safeParse(v: unknown): { success: boolean } }, text: string): boolean {
  let parsed: T;
  try {
    parsed = JSON.parse(text);
  } catch {
    return false;
  }
  return schema.safeParse(parsed).success;
}

// --- the properties ------------------------------------------------------------------------------

describe('fuzzing the API with random and mutated bodies', () => {
  it(`POST /v1/batches: never 5xx, 202 only for valid submissions, and nothing else starts a workflow`, async () => {
    const key = fc.option(
      fc.oneof(
        fc.uuid().map((u) => `fuzz-${u}`),
        fc.string({ maxLength: 12 }).map((s) => `fuzz-${randomUUID().slice(0, 8)}-${s}`),
        fc.constantFrom('', ' ', 'a/b', 'x'.repeat(201)),
      ),
      { freq: 3 },
    );
    let accepted = 0;
    const keys = new Map<string, string>(); // effective key → submission hash of the batch it made
    await fc.assert(
      fc.asyncProperty(bodies(validSubmission), key, async (body, idempotencyKey) => {
        const res = await fetch(`${api.url}/v1/batches`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${TOKEN}`,
            'content-type': 'application/json',
            ...(idempotencyKey === null ? {} : { 'idempotency-key': idempotencyKey }),
          },
          body,
        });
        const reply = (await res.json()) as { id?: string; error?: { code: string } };
        expect(res.status).toBeLessThan(500);
        const validBody = parses(batchSubmissionSchema, body);
        // HTTP drops leading and trailing whitespace of header values.
        const effectiveKey = idempotencyKey?.trim() ?? null;
        const validKey = effectiveKey === null || IDEMPOTENCY_KEY.test(effectiveKey);
        if (validBody && validKey) {
          const hash = submissionHash(batchSubmissionSchema.parse(JSON.parse(body)));
          const earlier = effectiveKey === null ? undefined : keys.get(effectiveKey);
          if (earlier === undefined) {
            expect(res.status).toBe(202);
            expect(reply.id).toMatch(/^batch-/);
            started.add(reply.id!);
            if (effectiveKey !== null) keys.set(effectiveKey, hash);
            accepted++;
          } else {
            // Shrinking replays keys: same batch → 200, another batch → 409.
            expect(res.status).toBe(earlier === hash ? 200 : 409);
          }
        } else {
          expect(res.status).toBe(400);
          expect(reply.error?.code).toMatch(/^(invalid_json|invalid_request|invalid_idempotency_key)$/);
        }
      }),
      { numRuns: RUNS },
    );
    expect(accepted).toBeGreaterThan(RUNS / 10); // the generators do reach the valid space

    // Temporal's own count of workflows on this task queue: the 202s, the webhook target, nothing more.
    const deadline = Date.now() + 20_000;
    let count = -1;
    while (Date.now() < deadline) {
      count = (await ctx.client.workflow.count(`TaskQueue = '${taskQueue}'`)).count;
      if (count === started.size + 1) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(count).toBe(started.size + 1);
  });

  it('POST /v1/webhooks/bland/:id: never 5xx; 200 exactly for valid events with a valid token and signature', async () => {
    const auth = fc.constantFrom('good', 'good', 'good', 'good', 'bad-token', 'bad-signature', 'compact-signature');
    await fc.assert(
      fc.asyncProperty(bodies(validEvent), auth, async (body, mode) => {
        const token =
          mode === 'bad-token' ? webhookToken(TOKEN_SECRET, `${target}x`) : webhookToken(TOKEN_SECRET, target);
        let signature = hmacHex(BLAND_SECRET, body);
        if (mode === 'bad-signature') signature = hmacHex(BLAND_SECRET, `${body} `);
        if (mode === 'compact-signature') {
          try {
            signature = hmacHex(BLAND_SECRET, JSON.stringify(JSON.parse(body)));
          } catch {
            // Not JSON: keep the raw-body signature.
          }
        }
        const res = await fetch(`${api.url}/v1/webhooks/bland/${target}?token=${token}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-webhook-signature': signature },
          body,
        });
        const reply = (await res.json()) as { accepted?: boolean; error?: { code: string } };
        expect(res.status).toBeLessThan(500);
        if (mode === 'bad-token') {
          expect(res.status).toBe(401);
          expect(reply.error?.code).toBe('invalid_token');
        } else if (mode === 'bad-signature') {
          expect(res.status).toBe(401);
        } else if (parses(statusEventSchema, body)) {
          expect(res.status).toBe(200);
          expect(reply).toEqual({ accepted: true });
        } else {
          expect(res.status).toBe(400);
          expect(reply.error?.code).toMatch(/^(invalid_json|invalid_event)$/);
        }
      }),
      { numRuns: RUNS },
    );
  });
});

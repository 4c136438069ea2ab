import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import { type BlandApi, createActivities } from '../../src/activities';
import { BlandApiError } from '../../src/bland/client';
import { type BatchSubmission, batchSubmissionSchema } from '../../src/bland/options';
import { type BatchRecord, WORKFLOW_MARKER_KEY } from '../../src/bland/schemas';
import { webhookToken } from '../../src/webhook-token';

/**
 * The create activity's promise: never a second batch. Bland is a scripted object here, so each
 * listing and each failure is exact; the simulator-backed workflow tests cover the wire.
 */
const WORKFLOW_ID = 'batch-act-1';
const SECRET = 'activity-test-token-secret-0123';
const FIRST_ATTEMPT_AT = Date.parse('2026-11-30T10:00:00Z');

const submission: BatchSubmission = batchSubmissionSchema.parse({
  call_objects: [{ phone_number: '+14155550101' }],
  global: { task: 'Say hello.', metadata: { team: 'growth' } },
  status_webhook: 'https://caller.example.com/hook',
  options: { deadline: '1h' },
});

function record(id: string, createdAt: number, marker?: string): BatchRecord {
  const global = { task: 't', metadata: marker ? { [WORKFLOW_MARKER_KEY]: marker } : {} };
  return { id, base_prompt: JSON.stringify(global), created_at: new Date(createdAt).toISOString() };
}

function scriptedBland(pages: BatchRecord[][], create?: () => Promise<{ batch_id: string }>) {
  const calls = { creates: [] as Record<string, unknown>[], lists: 0 };
  const bland: BlandApi = {
    async createBatch(body) {
      calls.creates.push(body);
      return create ? create() : { batch_id: 'B-new' };
    },
    async listBatches(page) {
      calls.lists++;
      return pages[(page?.skip ?? 0) / 100] ?? [];
    },
    getAllLogs: async () => [],
    stopBatch: async () => {},
  };
  return { bland, calls };
}

function run(bland: BlandApi, attempt: number) {
  const activities = createActivities({ bland, publicUrl: 'https://orch.example.com/', webhookTokenSecret: SECRET });
  const env = new MockActivityEnvironment({ attempt, scheduledTimestampMs: FIRST_ATTEMPT_AT });
  return env.run(activities.createBatch, { workflowId: WORKFLOW_ID, submission });
}

const fullPage = (start: number, createdAt: number) =>
  Array.from({ length: 100 }, (_, i) => record(`other-${start + i}`, createdAt));

describe('createBatch activity', () => {
  it('sends the body with our marker and callback URL, never the caller’s webhook or our options', async () => {
    const { bland, calls } = scriptedBland([]);
    expect(await run(bland, 1)).toEqual({ batch_id: 'B-new', adopted: false });
    expect(calls.lists).toBe(0);
    const body = calls.creates[0]!;
    expect(body.global).toEqual({
      task: 'Say hello.',
      metadata: { team: 'growth', [WORKFLOW_MARKER_KEY]: WORKFLOW_ID },
    });
    expect(body.status_webhook).toBe(
      `https://orch.example.com/v1/webhooks/bland/${WORKFLOW_ID}?token=${webhookToken(SECRET, WORKFLOW_ID)}`,
    );
    expect(body).not.toHaveProperty('options');
    expect(JSON.stringify(body)).not.toContain('caller.example.com');
  });

  it('adopts the batch an earlier attempt made instead of creating again', async () => {
    const { bland, calls } = scriptedBland([
      [...fullPage(0, FIRST_ATTEMPT_AT + 5_000).slice(0, 60), record('B-mine', FIRST_ATTEMPT_AT + 1_000, WORKFLOW_ID)],
    ]);
    expect(await run(bland, 2)).toEqual({ batch_id: 'B-mine', adopted: true });
    expect(calls.creates).toHaveLength(0);
  });

  it('creates again once the listing reaches batches older than the first attempt', async () => {
    const { bland, calls } = scriptedBland([
      fullPage(0, FIRST_ATTEMPT_AT + 1_000),
      fullPage(100, FIRST_ATTEMPT_AT - 3_600_000),
    ]);
    expect(await run(bland, 3)).toEqual({ batch_id: 'B-new', adopted: false });
    expect(calls.lists).toBe(2);
    expect(calls.creates).toHaveLength(1);
  });

  it('refuses to create when the search cannot conclude, rather than risk a second batch', async () => {
    const newer = Array.from({ length: 10 }, (_, p) => fullPage(p * 100, FIRST_ATTEMPT_AT + 1_000));
    const { bland, calls } = scriptedBland(newer);
    const failure = await run(bland, 2).catch((err) => err);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: 'AdoptionInconclusive', nonRetryable: true });
    expect(calls.creates).toHaveLength(0);
  });

  it('classifies Bland errors: 4xx final, 429 after Retry-After, a timeout waits at least 10 s', async () => {
    const fail = (fields: ConstructorParameters<typeof BlandApiError>[1]) => async () => {
      throw new BlandApiError(`create failed (${fields.status ?? fields.kind})`, fields);
    };
    const rejected = await run(
      scriptedBland([], fail({ kind: 'http', operation: 'create', retryable: false, status: 400 })).bland,
      1,
    ).catch((e) => e);
    expect(rejected).toMatchObject({ type: 'BlandRejected', nonRetryable: true });
    const limited = await run(
      scriptedBland([], fail({ kind: 'http', operation: 'create', retryable: true, status: 429, retryAfterMs: 3_000 }))
        .bland,
      1,
    ).catch((e) => e);
    expect(limited).toMatchObject({ type: 'BlandUnavailable', nonRetryable: false, nextRetryDelay: 3_000 });
    const timedOut = await run(
      scriptedBland([], fail({ kind: 'timeout', operation: 'create', retryable: true })).bland,
      1,
    ).catch((e) => e);
    expect(timedOut).toMatchObject({ type: 'BlandUnavailable', nextRetryDelay: 10_000 });
  });
});

import { randomUUID } from 'node:crypto';
import { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Activities } from '../../src/activities';
import type { Faults, SimulatorOptions } from '../../src/dev/bland-simulator';
import { webhookToken } from '../../src/webhook-token';
import { cancelUpdate, statusQuery } from '../../src/workflows/messages';
import { searchAttributes, startBatch, submission, waitFor } from '../support/batches';
import { type BlandStack, startBlandStack, TEST_WEBHOOK_TOKEN_SECRET } from '../support/bland-stack';
import { recordHistory } from '../support/histories';
import { connectTemporal, type TemporalTestContext, withWorker } from '../support/temporal';

/**
 * The batch workflow with its real activities against the Bland simulator, webhooks travelling
 * over real HTTP through the real API into Temporal signals.
 */
let ctx: TemporalTestContext;
beforeAll(async () => {
  ctx = await connectTemporal();
});
afterAll(async () => ctx?.close());

interface Run {
  stack: BlandStack;
  workflowId: string;
  reconciles: () => number;
}

/** Starts a stack, a worker and one batch (with faults for it alone), and hands them to `fn`. */
async function withBatch<T>(
  body: Record<string, unknown>,
  setup: { simulator?: SimulatorOptions; faults?: Faults },
  fn: (run: Run, handle: Awaited<ReturnType<typeof startBatch>>) => Promise<T>,
): Promise<T> {
  const stack = await startBlandStack(ctx, { simulator: { apiKey: BLAND_KEY, ...setup.simulator } });
  const workflowId = `batch-${randomUUID()}`;
  if (setup.faults) stack.sim.setFaults(setup.faults, workflowId);
  let reconciles = 0;
  const activities: Activities = {
    ...stack.activities,
    reconcileBatch: (input) => {
      reconciles++;
      return stack.activities.reconcileBatch(input);
    },
  };
  try {
    return await withWorker(ctx, stack.taskQueue, activities, async () => {
      const handle = await startBatch(ctx.client, stack.taskQueue, submission(body), workflowId);
      return fn({ stack, workflowId, reconciles: () => reconciles }, handle);
    });
  } finally {
    await stack.close();
  }
}

/** Distinctive, so that finding it anywhere in a history is unambiguous. */
const BLAND_KEY = 'sk-test-bland-key-must-never-be-in-history';

/** Secrets (API key, token secret, the webhook token itself) never enter the workflow history. */
async function expectNoSecretsInHistory(run: Run, handle: Awaited<ReturnType<typeof startBatch>>): Promise<void> {
  const raw = Buffer.from(temporal.api.history.v1.History.encode(await handle.fetchHistory()).finish()).toString(
    'latin1',
  );
  expect(raw).toContain(run.workflowId);
  for (const secret of [
    BLAND_KEY,
    TEST_WEBHOOK_TOKEN_SECRET,
    webhookToken(TEST_WEBHOOK_TOKEN_SECRET, run.workflowId),
  ]) {
    expect(raw).not.toContain(secret);
  }
}

function ownBatches(run: Run) {
  return run.stack.sim.batches().filter((b) => b.marker === run.workflowId);
}

/** Bland's start_time format, in UTC. */
function startTimeIn(ms: number): string {
  return new Date(Date.now() + ms).toISOString().slice(0, 19).replace('T', ' ');
}

describe('batchWorkflow against the Bland simulator', () => {
  it('follows a batch to completed through webhooks (scenario 1)', async () => {
    await withBatch({ options: { quiet_timeout: '10s' } }, {}, async (run, handle) => {
      const outcome = await handle.result();
      await recordHistory(handle, 'happy-path');

      expect(outcome).toMatchObject({
        status: 'completed',
        source: 'webhook',
        counts: { total: 3, successful: 3, failed: 0 },
      });
      expect(outcome.batch_id).toBe(ownBatches(run)[0]?.batch_id);
      expect(outcome.events.map((e) => [e.status, e.source, e.applied])).toEqual([
        ['validating', 'webhook', true],
        ['dispatching', 'webhook', true],
        ['in_progress', 'webhook', true],
        ['completed', 'webhook', true],
      ]);
      expect(run.stack.sim.createCalls(run.workflowId)).toBe(1);
      expect(run.reconciles()).toBe(0);
      expect(await searchAttributes(handle)).toEqual({ status: 'completed', batchId: outcome.batch_id });
      await expectNoSecretsInHistory(run, handle);
      // What the Temporal UI shows as the workflow's current details.
      const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
      expect(metadata.currentDetails).toContain(`**completed** · Bland batch \`${outcome.batch_id}\``);
      expect(metadata.currentDetails).toContain('Calls: 3 successful, 0 failed of 3');
    });
  });

  it('recovers a lost final webhook from the logs within the quiet timeout (scenario 4)', async () => {
    await withBatch(
      { options: { quiet_timeout: '1s' } },
      { faults: { webhooks: { drop: ['completed'] } } },
      async (run, handle) => {
        const started = Date.now();
        const outcome = await handle.result();
        await recordHistory(handle, 'lost-final-webhook');

        expect(outcome).toMatchObject({
          status: 'completed',
          source: 'reconciled',
          counts: { total: 3, successful: 3 },
        });
        expect(outcome.events.at(-1)).toMatchObject({ status: 'completed', source: 'reconciled', applied: true });
        // in_progress waits 2 x quiet_timeout; the lifecycle itself takes about half a second.
        expect(Date.now() - started).toBeLessThan(6_000);
        expect(run.reconciles()).toBe(1);
        expect(await searchAttributes(handle)).toMatchObject({ status: 'completed' });
      },
    );
  });

  it('waits for scheduled calls past the quiet timeout without reconciling early (scenario 5)', async () => {
    const body = {
      options: { quiet_timeout: '1s', scheduled_grace: '5s' },
      global: { task: 't', start_time: startTimeIn(4_000) },
    };
    await withBatch(body, {}, async (run, handle) => {
      await waitFor(
        async () => (await handle.query(statusQuery)).status === 'waiting_for_scheduled_calls',
        10_000,
        'scheduled',
      );
      expect(await searchAttributes(handle)).toMatchObject({ status: 'waiting_for_scheduled_calls' });
      const outcome = await handle.result();
      await recordHistory(handle, 'scheduled');

      expect(outcome).toMatchObject({ status: 'completed', source: 'webhook' });
      expect(outcome.events.map((e) => e.status)).toContain('waiting_for_scheduled_calls');
      expect(run.reconciles()).toBe(0);
    });
  });

  it('keeps a long chunked phase alive on progress messages and parses them (scenario 6)', async () => {
    const calls = Array.from({ length: 20 }, (_, i) => ({ phone_number: `+1415556${String(1000 + i)}` }));
    await withBatch(
      { call_objects: calls, options: { quiet_timeout: '1s' } },
      { simulator: { chunkSize: 5, callMs: 600 } },
      async (run, handle) => {
        const outcome = await handle.result();
        await recordHistory(handle, 'chunked');
        const progress = outcome.events.filter((e) => e.status === 'in_progress_chunked');

        expect(progress.length).toBeGreaterThanOrEqual(4);
        expect(progress.every((e) => e.applied && e.source === 'webhook')).toBe(true);
        expect(outcome).toMatchObject({ status: 'completed', counts: { total: 20, successful: 20 } });
        // Four chunks of 600 ms outlast one quiet period (2 x 1 s) but each re-arms the timer.
        expect(run.reconciles()).toBe(0);
        const view = await handle.query(statusQuery);
        expect(view.progress).toMatchObject({ requested: 20, dispatched: 20 });
      },
    );
  });

  it('ends failed with create_rejected on a 400, after exactly one create call (scenario 7)', async () => {
    await withBatch(
      {},
      { faults: { create: [{ kind: 'status', status: 400, message: 'Invalid phone number' }] } },
      async (run, handle) => {
        const outcome = await handle.result();
        expect(outcome).toMatchObject({ status: 'failed', code: 'create_rejected', source: 'orchestrator' });
        expect(outcome.reason).toContain('Invalid phone number');
        expect(run.stack.sim.createCalls(run.workflowId)).toBe(1);
        expect(ownBatches(run)).toHaveLength(0);
        expect(await searchAttributes(handle)).toEqual({ status: 'failed', batchId: undefined });
        await expectNoSecretsInHistory(run, handle);
      },
    );
  });

  it('retries 500 and 429 (Retry-After) and creates exactly one batch (scenario 8)', async () => {
    const faults: Faults = {
      create: [
        { kind: 'status', status: 500 },
        { kind: 'status', status: 429, retryAfterSec: 1 },
      ],
    };
    await withBatch({}, { faults }, async (run, handle) => {
      const outcome = await handle.result();
      await recordHistory(handle, 'create-retried');
      expect(outcome.status).toBe('completed');
      expect(run.stack.sim.createCalls(run.workflowId)).toBe(3);
      expect(ownBatches(run)).toHaveLength(1);
      await expectNoSecretsInHistory(run, handle);
    });
  });

  it('adopts the batch whose create reply was lost instead of creating a second one (scenario 9)', async () => {
    await withBatch({}, { faults: { create: [{ kind: 'drop_after_create' }] } }, async (run, handle) => {
      const outcome = await handle.result();
      await recordHistory(handle, 'create-reply-lost');
      expect(outcome).toMatchObject({ status: 'completed', counts: { total: 3 } });
      expect(ownBatches(run)).toHaveLength(1);
      expect(outcome.batch_id).toBe(ownBatches(run)[0]?.batch_id);
      expect(run.stack.sim.createCalls(run.workflowId)).toBe(1);
    });
  });

  it('cancels a running batch: stop at Bland, and Bland’s final word is the outcome (scenario 11)', async () => {
    const calls = Array.from({ length: 30 }, (_, i) => ({ phone_number: `+1415557${String(1000 + i)}` }));
    await withBatch(
      { call_objects: calls, options: { cancel_grace: '5s' } },
      { simulator: { chunkSize: 5, callMs: 500 } },
      async (run, handle) => {
        await waitFor(
          async () => (await handle.query(statusQuery)).status === 'in_progress_chunked',
          10_000,
          'chunked',
        );
        const view = await handle.executeUpdate(cancelUpdate, { args: [{ reason: 'operator request' }] });
        await recordHistory(handle, 'cancel-real');

        expect(view.final).toMatchObject({ status: 'completed_partial', code: 'batch_stopped', source: 'webhook' });
        expect(view.cancel).toMatchObject({ reason: 'operator request', handled: true });
        expect(ownBatches(run)[0]?.stop_calls).toBe(1);
        const outcome = await handle.result();
        expect(outcome.counts?.total).toBe(30);
        expect(outcome.counts!.successful).toBeLessThan(30);
        // The workflow has closed: the server itself refuses the update.
        await expect(handle.executeUpdate(cancelUpdate, { args: [{}] })).rejects.toThrow(/already completed/);
      },
    );
  });
});

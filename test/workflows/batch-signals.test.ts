import { WorkflowUpdateFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cancelUpdate, statusQuery } from '../../src/workflows/messages';
import { blandEvent, deliver, searchAttributes, startBatch, submission, waitFor } from '../support/batches';
import { fakeBland } from '../support/fake-activities';
import { recordHistory } from '../support/histories';
import { connectTemporal, type TemporalTestContext, uniqueTaskQueue, withWorker } from '../support/temporal';

/**
 * Scenarios that need an exact interleaving of the create call and webhooks: the activities are
 * under the test's control, Temporal is real.
 */
let ctx: TemporalTestContext;
beforeAll(async () => {
  ctx = await connectTemporal();
});
afterAll(async () => ctx?.close());

const quick = { quiet_timeout: '30s', deadline: '1h', cancel_grace: '1s' };

describe('batchWorkflow with controlled activities', () => {
  it('applies webhooks that arrive before createBatch returns (scenario 2)', async () => {
    const taskQueue = uniqueTaskQueue('early');
    const bland = fakeBland();
    await withWorker(ctx, taskQueue, bland.activities, async () => {
      const handle = await startBatch(ctx.client, taskQueue, submission({ options: quick }));
      await waitFor(() => bland.calls.create === 1, 10_000, 'create call');
      await deliver(handle, blandEvent('B-early', 'validating'));
      await deliver(handle, blandEvent('B-other', 'dispatching'));
      expect((await handle.query(statusQuery)).status).toBe('creating');

      bland.releaseCreate('B-early');
      await waitFor(async () => (await handle.query(statusQuery)).status === 'validating', 10_000, 'validating');
      await deliver(
        handle,
        blandEvent('B-early', 'completed', { calls_total: 3, calls_successful: 3, calls_failed: 0 }),
      );
      const outcome = await handle.result();
      await recordHistory(handle, 'early-webhook');

      expect(outcome).toMatchObject({ batch_id: 'B-early', status: 'completed', source: 'webhook' });
      expect(outcome.counts).toEqual({ total: 3, successful: 3, failed: 0 });
      expect(outcome.events.map((e) => [e.status, e.applied, e.note])).toEqual([
        ['validating', true, undefined],
        ['dispatching', false, 'foreign_batch'],
        ['completed', true, undefined],
      ]);
      expect(await searchAttributes(handle)).toEqual({ status: 'completed', batchId: 'B-early' });
    });
  });

  it('ignores duplicates, regressions and events after the final one (scenario 3)', async () => {
    const taskQueue = uniqueTaskQueue('dups');
    const bland = fakeBland({ createImmediately: 'B-dup' });
    const openForwards = bland.holdForwards();
    await withWorker(ctx, taskQueue, bland.activities, async () => {
      const handle = await startBatch(
        ctx.client,
        taskQueue,
        submission({ options: quick, status_webhook: 'http://127.0.0.1:9/caller' }),
      );
      const validating = blandEvent('B-dup', 'validating');
      const completed = blandEvent('B-dup', 'completed', { calls_total: 3, calls_successful: 2, calls_failed: 1 });
      await deliver(handle, validating);
      await deliver(handle, blandEvent('B-dup', 'in_progress'));
      await deliver(handle, blandEvent('B-dup', 'dispatching'));
      await deliver(handle, validating);
      await deliver(handle, completed);
      // The workflow stays open while its forwards are held: these land after the final event.
      await deliver(handle, completed);
      await deliver(handle, blandEvent('B-dup', 'in_progress'));
      await waitFor(async () => (await handle.query(statusQuery)).events.length === 5, 10_000, 'five recorded events');
      openForwards();
      const outcome = await handle.result();
      await recordHistory(handle, 'duplicates-out-of-order');

      expect(outcome).toMatchObject({ status: 'completed', counts: { total: 3, successful: 2, failed: 1 } });
      expect(outcome.events.map((e) => [e.status, e.applied, e.note ?? null])).toEqual([
        ['validating', true, null],
        ['in_progress', true, null],
        ['dispatching', false, 'regression'],
        ['completed', true, null],
        ['in_progress', false, 'after_terminal'],
      ]);
      expect(bland.calls.forwarded.map((e) => e.status)).toEqual(['validating', 'in_progress', 'completed']);
      expect(await searchAttributes(handle)).toEqual({ status: 'completed', batchId: 'B-dup' });
    });
  });

  it('cancels: stops the batch at Bland, ends orchestrator_cancelled when Bland says nothing, then rejects a second cancel (scenario 11)', async () => {
    const taskQueue = uniqueTaskQueue('cancel');
    const bland = fakeBland({ createImmediately: 'B-cancel' });
    await withWorker(ctx, taskQueue, bland.activities, async () => {
      const handle = await startBatch(ctx.client, taskQueue, submission({ options: quick }));
      await deliver(handle, blandEvent('B-cancel', 'in_progress'));
      const view = await handle.executeUpdate(cancelUpdate, { args: [{ reason: 'wrong list' }] });

      expect(view.status).toBe('completed_partial');
      expect(view.final).toMatchObject({
        code: 'orchestrator_cancelled',
        reason: 'cancelled: wrong list',
        source: 'orchestrator',
      });
      expect(bland.calls.stop).toEqual(['B-cancel']);
      expect(bland.calls.reconcile).toBe(1);
      const outcome = await handle.result();
      await recordHistory(handle, 'cancelled');
      expect(outcome).toMatchObject({ status: 'completed_partial', code: 'orchestrator_cancelled' });
      expect(await searchAttributes(handle)).toEqual({ status: 'completed_partial', batchId: 'B-cancel' });
      // The workflow has closed: the server itself refuses the update.
      await expect(handle.executeUpdate(cancelUpdate, { args: [{}] })).rejects.toThrow(/already completed/);
    });
  });

  it('abandons a create that keeps failing when cancelled, and ends without a batch', async () => {
    const taskQueue = uniqueTaskQueue('cancel-create');
    const bland = fakeBland({ unavailable: true });
    await withWorker(ctx, taskQueue, bland.activities, async () => {
      const handle = await startBatch(ctx.client, taskQueue, submission({ options: quick }));
      await waitFor(() => bland.calls.create >= 2, 10_000, 'create retries');
      const view = await handle.executeUpdate(cancelUpdate, { args: [{ reason: 'Bland is down' }] });
      const outcome = await handle.result();
      await recordHistory(handle, 'cancel-during-create');

      expect(view.final).toMatchObject({ status: 'failed', code: 'orchestrator_cancelled' });
      expect(outcome).toMatchObject({ status: 'failed', code: 'orchestrator_cancelled' });
      expect(outcome.batch_id).toBeUndefined();
      expect(bland.calls.find).toBe(1);
      expect(bland.calls.stop).toEqual([]);
      const createsAtEnd = bland.calls.create;
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      expect(bland.calls.create).toBe(createsAtEnd);
    });
  });

  it('stops the batch a cancelled create made after all', async () => {
    const taskQueue = uniqueTaskQueue('cancel-found');
    const bland = fakeBland({ unavailable: true, foundAfterCancel: 'B-found' });
    await withWorker(ctx, taskQueue, bland.activities, async () => {
      const handle = await startBatch(ctx.client, taskQueue, submission({ options: quick }));
      await waitFor(() => bland.calls.create >= 1, 10_000, 'create attempt');
      await handle.executeUpdate(cancelUpdate, { args: [{}] });
      const outcome = await handle.result();

      expect(outcome).toMatchObject({
        status: 'completed_partial',
        code: 'orchestrator_cancelled',
        batch_id: 'B-found',
      });
      expect(bland.calls.stop).toEqual(['B-found']);
      expect(await searchAttributes(handle)).toEqual({ status: 'completed_partial', batchId: 'B-found' });
    });
  });

  it('looks for the batch when a create attempt fails after the cancel request', async () => {
    const taskQueue = uniqueTaskQueue('cancel-slow-create');
    const bland = fakeBland({ unavailable: true, createDelayMs: 1_500 });
    await withWorker(ctx, taskQueue, bland.activities, async () => {
      const handle = await startBatch(ctx.client, taskQueue, submission({ options: quick }));
      await waitFor(() => bland.calls.create === 1, 10_000, 'create attempt in flight');
      await handle.executeUpdate(cancelUpdate, { args: [{}] });
      const outcome = await handle.result();
      await recordHistory(handle, 'cancel-after-slow-create-failure');
      expect(outcome).toMatchObject({ status: 'failed', code: 'orchestrator_cancelled' });
      expect(bland.calls.find).toBe(1);
      expect(bland.calls.create).toBe(1);
    });
  });

  it('follows and stops a batch found after the create ran out of time at the deadline', async () => {
    const taskQueue = uniqueTaskQueue('deadline-create');
    const bland = fakeBland({ unavailable: true, foundAfterCancel: 'B-made-anyway' });
    await withWorker(ctx, taskQueue, bland.activities, async () => {
      const handle = await startBatch(ctx.client, taskQueue, submission({ options: { deadline: '3s' } }));
      const outcome = await handle.result();
      await recordHistory(handle, 'deadline-during-create');
      expect(outcome).toMatchObject({
        status: 'completed_partial',
        code: 'orchestrator_deadline',
        batch_id: 'B-made-anyway',
      });
      expect(bland.calls.find).toBe(1);
      expect(bland.calls.stop).toEqual(['B-made-anyway']);
    });
  });

  it('rejects a cancel by its validator once Bland reported the final status', async () => {
    const taskQueue = uniqueTaskQueue('cancel-late');
    const bland = fakeBland({ createImmediately: 'B-late' });
    const openForwards = bland.holdForwards();
    await withWorker(ctx, taskQueue, bland.activities, async () => {
      const handle = await startBatch(
        ctx.client,
        taskQueue,
        submission({ options: quick, status_webhook: 'http://127.0.0.1:9/caller' }),
      );
      await deliver(
        handle,
        blandEvent('B-late', 'completed', { calls_total: 3, calls_successful: 3, calls_failed: 0 }),
      );
      await waitFor(async () => (await handle.query(statusQuery)).final !== undefined, 10_000, 'final');
      const rejected = await handle.executeUpdate(cancelUpdate, { args: [{}] }).catch((err) => err);
      expect(rejected).toBeInstanceOf(WorkflowUpdateFailedError);
      expect(String(rejected.cause?.message)).toMatch(/already completed/);
      openForwards();
      expect((await handle.result()).status).toBe('completed');
      await recordHistory(handle, 'cancel-rejected-after-final');
      expect(bland.calls.stop).toEqual([]);
    });
  });

  it('ends failed with create_rejected when Bland rejects the create, without retrying (scenario 7)', async () => {
    const taskQueue = uniqueTaskQueue('rejected');
    const bland = fakeBland({ rejectCreate: 'create failed (400): Invalid phone number' });
    await withWorker(ctx, taskQueue, bland.activities, async () => {
      const handle = await startBatch(ctx.client, taskQueue, submission({ options: quick }));
      const outcome = await handle.result();
      await recordHistory(handle, 'create-rejected');
      expect(outcome).toMatchObject({ status: 'failed', code: 'create_rejected', source: 'orchestrator' });
      expect(outcome.reason).toContain('Invalid phone number');
      expect(bland.calls.create).toBe(1);
      expect(await searchAttributes(handle)).toEqual({ status: 'failed', batchId: undefined });
    });
  });
});

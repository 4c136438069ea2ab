import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../src/activities';
import { MAX_EVENTS } from '../../src/bland/lifecycle';
import type { StatusEvent } from '../../src/bland/schemas';
import { hmacHex } from '../../src/webhook-token';
import { batchWorkflow } from '../../src/workflows';
import { statusQuery } from '../../src/workflows/messages';
import { blandEvent, deliver, searchAttributes, startBatch, submission, waitFor } from '../support/batches';
import { fakeBland } from '../support/fake-activities';
import { recordHistory } from '../support/histories';
import { connectTemporal, type TemporalTestContext, uniqueTaskQueue, withWorker } from '../support/temporal';

let ctx: TemporalTestContext;
beforeAll(async () => {
  ctx = await connectTemporal();
});
afterAll(async () => ctx?.close());

describe('batchWorkflow over long streams, deadlines and callers', () => {
  it('continues as new with a long chunked stream and keeps dedup across runs (scenario 13)', async () => {
    const taskQueue = uniqueTaskQueue('can');
    const bland = fakeBland({ createImmediately: 'B-long' });
    await withWorker(ctx, taskQueue, bland.activities, async () => {
      const handle = await ctx.client.workflow.start(batchWorkflow, {
        taskQueue,
        workflowId: `batch-${randomUUID()}`,
        args: [{ submission: submission({ options: { quiet_timeout: '1m' } }) }],
        memo: { test_memo: 'kept across runs' },
      });
      const { runId: firstRunId } = await handle.describe();
      const early = [blandEvent('B-long', 'validating'), blandEvent('B-long', 'dispatching')];
      for (const e of early) await deliver(handle, e);
      // Signals batch into fewer workflow tasks when the machine is busy, so send until the
      // server suggests continue-as-new rather than a fixed count.
      const chunks: StatusEvent[] = [];
      const hasContinued = async () => (await handle.describe()).runId !== firstRunId;
      while (chunks.length < 2_000 && (chunks.length % 50 !== 0 || !(await hasContinued()))) {
        const chunk = blandEvent('B-long', 'in_progress_chunked', {
          message: `Requested: 200000. Validated: 200000. Dispatched: ${(chunks.length + 1) * 100}. CPS: 10.00.`,
        });
        chunks.push(chunk);
        await deliver(handle, chunk);
      }
      await waitFor(hasContinued, 20_000, 'continue-as-new');
      // Replays of events the first run already applied must still be recognised.
      for (const e of [...early, ...chunks.slice(0, 20)]) await deliver(handle, e);
      const latest = ctx.client.workflow.getHandle<typeof batchWorkflow>(handle.workflowId);
      await waitFor(async () => (await latest.query(statusQuery)).duplicates === 22, 20_000, 'duplicates counted');
      await deliver(
        handle,
        blandEvent('B-long', 'completed', { calls_total: 200000, calls_successful: 200000, calls_failed: 0 }),
      );
      const outcome = await latest.result();
      await recordHistory(latest, 'continue-as-new-last-run');
      await recordHistory(ctx.client.workflow.getHandle(handle.workflowId, firstRunId), 'continue-as-new-first-run');

      expect(outcome).toMatchObject({ status: 'completed', batch_id: 'B-long', counts: { total: 200000 } });
      expect(outcome.events.filter((e) => e.applied)).toHaveLength(Math.min(2 + chunks.length + 1, MAX_EVENTS));
      expect(outcome.events.every((e) => e.note === undefined)).toBe(true);
      const described = await latest.describe();
      expect(described.runId).not.toBe(firstRunId);
      expect(described.memo).toEqual({ test_memo: 'kept across runs' });
      expect((await latest.query(statusQuery)).progress).toEqual({
        requested: 200000,
        validated: 200000,
        dispatched: chunks.length * 100,
        cps: 10,
      });
      expect(await searchAttributes(latest)).toEqual({ status: 'completed', batchId: 'B-long' });
    });
  });

  it('continues as new while the caller’s webhook hangs, carrying the undelivered events', async () => {
    const taskQueue = uniqueTaskQueue('can-stuck-caller');
    const bland = fakeBland({ createImmediately: 'B-stuck', forwardsHang: true });
    await withWorker(ctx, taskQueue, bland.activities, async () => {
      const handle = await startBatch(
        ctx.client,
        taskQueue,
        submission({ options: { quiet_timeout: '1m' }, status_webhook: 'http://127.0.0.1:9/caller' }),
      );
      const { runId: firstRunId } = await handle.describe();
      const hasContinued = async () => (await handle.describe()).runId !== firstRunId;
      let sent = 0;
      while (sent < 2_000 && (sent % 50 !== 0 || !(await hasContinued()))) {
        sent++;
        await deliver(handle, blandEvent('B-stuck', 'in_progress_chunked', { message: `Dispatched: ${sent}.` }));
      }
      await waitFor(hasContinued, 20_000, 'continue-as-new despite a hanging caller');
      const view = await handle.query(statusQuery);
      // Nothing was delivered, nothing was lost: every applied event waits in the carried outbox.
      expect(view.forwards_pending).toBe(sent);
      expect(view.forwards_failed).toBe(0);
      await handle.terminate('test done');
      await recordHistory(ctx.client.workflow.getHandle(handle.workflowId, firstRunId), 'continue-as-new-stuck-caller');
    });
  });

  it('drops an event the caller refuses with a 4xx instead of retrying it for a day', async () => {
    const refused: string[] = [];
    const caller: Server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        refused.push(String(req.headers['idempotency-key']));
        res.writeHead(404).end();
      });
    });
    await new Promise<void>((resolve) => caller.listen(0, '127.0.0.1', resolve));
    const taskQueue = uniqueTaskQueue('caller-404');
    const bland = fakeBland({ createImmediately: 'B-404' });
    const real = createActivities({
      bland: unusedBland,
      publicUrl: 'http://127.0.0.1:1',
      webhookTokenSecret: 'unused-token-secret-0123456789',
    });
    try {
      await withWorker(ctx, taskQueue, { ...bland.activities, notifyClient: real.notifyClient }, async () => {
        const callerUrl = `http://127.0.0.1:${(caller.address() as AddressInfo).port}/wrong-path`;
        const handle = await startBatch(ctx.client, taskQueue, submission({ status_webhook: callerUrl }));
        await deliver(handle, blandEvent('B-404', 'validating'));
        await deliver(
          handle,
          blandEvent('B-404', 'completed', { calls_total: 3, calls_successful: 3, calls_failed: 0 }),
        );
        const outcome = await handle.result();
        await recordHistory(handle, 'caller-refuses');
        expect(outcome.status).toBe('completed');
        expect(refused).toHaveLength(2);
        expect((await handle.query(statusQuery)).forwards_failed).toBe(2);
      });
    } finally {
      caller.close();
    }
  });

  it('ends completed_partial with orchestrator_deadline after reconciling, and stops the batch (scenario 10)', async () => {
    const taskQueue = uniqueTaskQueue('deadline');
    const bland = fakeBland({ createImmediately: 'B-deadline' });
    await withWorker(ctx, taskQueue, bland.activities, async () => {
      const handle = await startBatch(
        ctx.client,
        taskQueue,
        submission({ options: { deadline: '2s', quiet_timeout: '10s', on_deadline: 'stop' } }),
      );
      await deliver(handle, blandEvent('B-deadline', 'in_progress'));
      const outcome = await handle.result();
      await recordHistory(handle, 'deadline-stop');
      expect(outcome).toMatchObject({
        status: 'completed_partial',
        code: 'orchestrator_deadline',
        source: 'orchestrator',
      });
      expect(outcome.reason).toBe('deadline of 2s reached');
      expect(bland.calls.stop).toEqual(['B-deadline']);
      expect(bland.calls.reconcile).toBe(1);
      expect(await searchAttributes(handle)).toEqual({ status: 'completed_partial', batchId: 'B-deadline' });
    });
  });

  it('leaves the batch running at the deadline when told to', async () => {
    const taskQueue = uniqueTaskQueue('deadline-leave');
    const bland = fakeBland({ createImmediately: 'B-leave' });
    await withWorker(ctx, taskQueue, bland.activities, async () => {
      const handle = await startBatch(
        ctx.client,
        taskQueue,
        submission({ options: { deadline: '1s', on_deadline: 'leave' } }),
      );
      const outcome = await handle.result();
      await recordHistory(handle, 'deadline-leave');
      expect(outcome.code).toBe('orchestrator_deadline');
      expect(bland.calls.stop).toEqual([]);
    });
  });

  it('forwards every applied event to the caller, signed, through failing first attempts (scenario 14)', async () => {
    const secret = 'caller-secret-for-tests-0123456789';
    const received: { body: string; signature?: string; key?: string }[] = [];
    let failuresLeft = 2;
    const caller: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => {
        if (failuresLeft > 0) {
          failuresLeft--;
          res.writeHead(503).end();
          return;
        }
        received.push({
          body,
          signature: req.headers['x-signature'] as string,
          key: req.headers['idempotency-key'] as string,
        });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => caller.listen(0, '127.0.0.1', resolve));
    const callerUrl = `http://127.0.0.1:${(caller.address() as AddressInfo).port}/hooks/bland?auth=caller-own-token`;

    const taskQueue = uniqueTaskQueue('forward');
    const bland = fakeBland({ createImmediately: 'B-fwd' });
    const real = createActivities({
      bland: unusedBland,
      publicUrl: 'http://127.0.0.1:1',
      webhookTokenSecret: 'unused-token-secret-0123456789',
      callerWebhookSecret: secret,
    });
    try {
      await withWorker(ctx, taskQueue, { ...bland.activities, notifyClient: real.notifyClient }, async () => {
        const handle = await startBatch(ctx.client, taskQueue, submission({ status_webhook: callerUrl }));
        await deliver(handle, blandEvent('B-fwd', 'validating'));
        await deliver(handle, blandEvent('B-fwd', 'dispatching'));
        await deliver(handle, blandEvent('B-fwd', 'validating', { message: 'late and out of order' }));
        await deliver(
          handle,
          blandEvent('B-fwd', 'completed', { calls_total: 3, calls_successful: 3, calls_failed: 0 }),
        );
        const outcome = await handle.result();
        await recordHistory(handle, 'caller-forwards');
        const applied = outcome.events.filter((e) => e.applied);

        expect(received.map((r) => JSON.parse(r.body).status)).toEqual(['validating', 'dispatching', 'completed']);
        expect(received.map((r) => r.key)).toEqual(applied.map((e) => e.key));
        for (const r of received) {
          expect(r.signature).toBe(hmacHex(secret, r.body));
          expect(JSON.parse(r.body)).toMatchObject({
            workflow_id: handle.workflowId,
            batch_id: 'B-fwd',
            source: 'webhook',
          });
        }
        expect(failuresLeft).toBe(0);
      });
    } finally {
      caller.close();
    }
  });
});

const unusedBland = {
  createBatch: () => Promise.reject(new Error('not used')),
  listBatches: () => Promise.reject(new Error('not used')),
  getAllLogs: () => Promise.reject(new Error('not used')),
  stopBatch: () => Promise.reject(new Error('not used')),
};

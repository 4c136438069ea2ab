import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statusQuery } from '../../src/workflows/messages';
import { searchAttributes, startBatch, submission, waitFor } from '../support/batches';
import { type BlandStack, startBlandStack, TEST_WEBHOOK_TOKEN_SECRET } from '../support/bland-stack';
import { connectTemporal, type TemporalTestContext } from '../support/temporal';

/**
 * Scenario 12: the worker process dies by SIGKILL in the middle of a batch. Webhooks keep
 * arriving (the API turns them into signals Temporal stores); a new worker picks the batch up
 * from its history and finishes it, with still exactly one batch at Bland.
 */
let ctx: TemporalTestContext;
let stack: BlandStack;
const workers: ChildProcess[] = [];

beforeAll(async () => {
  ctx = await connectTemporal();
  stack = await startBlandStack(ctx, { simulator: { stepMs: 200, chunkSize: 5, callMs: 400 } });
});
afterAll(async () => {
  for (const w of workers) if (w.exitCode === null) w.kill('SIGKILL');
  await stack?.close();
  await ctx?.close();
});

function startWorkerProcess(): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join('src', 'worker.ts')], {
    cwd: path.join(__dirname, '..', '..'),
    env: {
      PATH: process.env.PATH,
      TEMPORAL_ADDRESS: ctx.address,
      TEMPORAL_TASK_QUEUE: stack.taskQueue,
      BLAND_API_URL: stack.sim.url,
      BLAND_API_KEY: stack.sim.apiKey,
      BLAND_REQUEST_TIMEOUT_MS: '3000',
      WEBHOOK_TOKEN_SECRET: TEST_WEBHOOK_TOKEN_SECRET,
      PUBLIC_URL: stack.api.url,
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  workers.push(child);
  return child;
}

async function killed(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

describe('a worker killed mid-batch', () => {
  it('is replaced and the batch completes correctly, with one batch at Bland', async () => {
    const calls = Array.from({ length: 20 }, (_, i) => ({ phone_number: `+1415558${String(1000 + i)}` }));
    const workflowId = `batch-${randomUUID()}`;
    const handle = await startBatch(
      ctx.client,
      stack.taskQueue,
      submission({ call_objects: calls, options: { quiet_timeout: '3s' } }),
      workflowId,
    );

    const signalCount = async () =>
      (await handle.fetchHistory()).events?.filter((e) => e.workflowExecutionSignaledEventAttributes).length ?? 0;
    const first = startWorkerProcess();
    await waitFor(
      async () => (await handle.query(statusQuery)).status === 'in_progress_chunked',
      60_000,
      'chunked phase',
    );
    await killed(first);
    const signalsAtKill = await signalCount();

    // With no worker at all, the batch goes on at Bland and its webhooks are stored as signals.
    await waitFor(async () => (await signalCount()) > signalsAtKill, 10_000, 'signals while no worker runs');

    startWorkerProcess();
    const outcome = await handle.result();

    expect(outcome).toMatchObject({ status: 'completed', counts: { total: 20, successful: 20, failed: 0 } });
    const own = stack.sim.batches().filter((b) => b.marker === workflowId);
    expect(own).toHaveLength(1);
    expect(stack.sim.createCalls(workflowId)).toBe(1);
    expect(outcome.batch_id).toBe(own[0]?.batch_id);
    const statuses = outcome.events.filter((e) => e.applied).map((e) => e.status);
    expect(statuses.slice(0, 2)).toEqual(['validating', 'dispatching']);
    expect(statuses.at(-1)).toBe('completed');
    expect(await searchAttributes(handle)).toEqual({ status: 'completed', batchId: outcome.batch_id });
  }, 120_000);
});

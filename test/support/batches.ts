import { randomUUID } from 'node:crypto';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { eventKey } from '../../src/bland/event-key';
import { type BatchSubmission, batchSubmissionSchema } from '../../src/bland/options';
import type { StatusEvent } from '../../src/bland/schemas';
import { batchWorkflow } from '../../src/workflows';
import { batchIdKey, batchStatusKey, blandStatusSignal } from '../../src/workflows/messages';

export function submission(overrides: Record<string, unknown> = {}, calls = 3): BatchSubmission {
  return batchSubmissionSchema.parse({
    call_objects: Array.from({ length: calls }, (_, i) => ({ phone_number: `+1415555${String(1000 + i)}` })),
    global: { task: 'Remind the customer of tomorrow’s appointment.' },
    description: 'test batch',
    ...overrides,
  });
}

export async function startBatch(
  client: Client,
  taskQueue: string,
  sub: BatchSubmission,
  workflowId = `batch-${randomUUID()}`,
): Promise<WorkflowHandle<typeof batchWorkflow>> {
  return client.workflow.start(batchWorkflow, { taskQueue, workflowId, args: [{ submission: sub }] });
}

let tick = 0;
export function blandEvent(batchId: string, status: string, extra: Partial<StatusEvent> = {}): StatusEvent {
  tick += 1;
  return {
    batch_id: batchId,
    status,
    timestamp: new Date(Date.UTC(2026, 10, 30, 9, 0, 0, tick)).toISOString(),
    ...extra,
  };
}

/** What the webhook route does once a request is authenticated and valid. */
export async function deliver(handle: WorkflowHandle, event: StatusEvent): Promise<void> {
  await handle.signal(blandStatusSignal, { event, key: eventKey(event), received_at: new Date().toISOString() });
}

export async function searchAttributes(handle: WorkflowHandle): Promise<{ status?: string; batchId?: string }> {
  const { typedSearchAttributes } = await handle.describe();
  return { status: typedSearchAttributes.get(batchStatusKey), batchId: typedSearchAttributes.get(batchIdKey) };
}

export async function waitFor(
  predicate: () => boolean | Promise<boolean>,
  timeoutMs = 20_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

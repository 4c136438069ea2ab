import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { inject } from 'vitest';
import type { Activities } from '../../src/activities';
import { createBatchWorker } from '../../src/worker';

let runtimeInstalled = false;

/** Keeps the SDK's own logging to errors (activity failures are expected here), so test output stays readable. */
export function quietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  } catch {
    // Already installed by another helper in this process.
  }
}

export interface TemporalTestContext {
  client: Client;
  nativeConnection: NativeConnection;
  address: string;
  close(): Promise<void>;
}

export async function connectTemporal(): Promise<TemporalTestContext> {
  quietRuntime();
  const address = inject('temporalAddress');
  const connection = await Connection.connect({ address });
  const nativeConnection = await NativeConnection.connect({ address });
  return {
    client: new Client({ connection }),
    nativeConnection,
    address,
    async close() {
      await nativeConnection.close();
      await connection.close();
    },
  };
}

export function uniqueTaskQueue(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** Runs `fn` while a worker for the batch workflow polls `taskQueue`, then shuts it down. */
export async function withWorker<T>(
  ctx: TemporalTestContext,
  taskQueue: string,
  activities: Activities,
  fn: () => Promise<T>,
): Promise<T> {
  const worker = await createBatchWorker({
    connection: ctx.nativeConnection,
    namespace: 'default',
    taskQueue,
    activities,
    workflowBundle: { code: inject('workflowBundle') },
  });
  return worker.runUntil(fn);
}

/**
 * Terminates what a test left running (ignoring those already closed), so runs do not pile up;
 * 50 at a time, which the dev server takes without throttling.
 */
export async function terminateAll(ctx: TemporalTestContext, workflowIds: readonly string[]): Promise<void> {
  for (let i = 0; i < workflowIds.length; i += 50) {
    await Promise.all(
      workflowIds.slice(i, i + 50).map((id) =>
        ctx.client.workflow
          .getHandle(id)
          .terminate('test cleanup')
          .catch(() => {}),
      ),
    );
  }
}

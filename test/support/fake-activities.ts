import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Activities } from '../../src/activities';
import type { ReconciledEvent } from '../../src/bland/logs';
import type { ForwardedEvent } from '../../src/workflows/messages';

/**
 * Activities under the test's control, for scenarios that need an exact interleaving of the
 * create call and webhooks. Bland itself is faked by the simulator elsewhere; here there is no Bland.
 */
export interface FakeBland {
  activities: Activities;
  calls: {
    create: number;
    find: number;
    reconcile: number;
    stop: string[];
    forwarded: ForwardedEvent[];
    forwardAttempts: number;
  };
  /** Lets a pending createBatch return this batch id. */
  releaseCreate(batchId: string): void;
  /** What the next reconciliations return. */
  logs: ReconciledEvent[];
  /** Forwards block until this resolves (keeps a finished workflow open for late signals). */
  holdForwards(): () => void;
}

export function fakeBland(
  options: {
    createImmediately?: string;
    rejectCreate?: string;
    /** Every create attempt fails as retryable (after `createDelayMs`). */
    unavailable?: boolean;
    createDelayMs?: number;
    /** What findBatch answers: the batch an abandoned create made after all. */
    foundAfterCancel?: string;
    /** notifyClient never completes: a caller that hangs. */
    forwardsHang?: boolean;
  } = {},
): FakeBland {
  let release: (batchId: string) => void = () => {};
  const created = new Promise<string>((resolve) => {
    release = resolve;
  });
  if (options.createImmediately) release(options.createImmediately);
  let forwardGate: Promise<void> = Promise.resolve();

  const fake: FakeBland = {
    calls: { create: 0, find: 0, reconcile: 0, stop: [], forwarded: [], forwardAttempts: 0 },
    logs: [],
    releaseCreate: (id) => release(id),
    holdForwards() {
      let open: () => void = () => {};
      forwardGate = new Promise((resolve) => {
        open = resolve;
      });
      return open;
    },
    activities: {
      async createBatch() {
        fake.calls.create++;
        if (options.createDelayMs) await new Promise((resolve) => setTimeout(resolve, options.createDelayMs));
        if (options.rejectCreate) throw ApplicationFailure.nonRetryable(options.rejectCreate, 'BlandRejected');
        if (options.unavailable)
          throw ApplicationFailure.retryable('create failed (503): unavailable', 'BlandUnavailable');
        return { batch_id: await created, adopted: false };
      },
      async findBatch() {
        fake.calls.find++;
        return { batch_id: options.foundAfterCancel };
      },
      async reconcileBatch() {
        fake.calls.reconcile++;
        return fake.logs;
      },
      async stopBatch({ batchId }) {
        fake.calls.stop.push(batchId);
      },
      async notifyClient({ event }) {
        fake.calls.forwardAttempts++;
        // Hangs until the worker or the workflow cancels it (so the worker can still shut down).
        if (options.forwardsHang) await Context.current().cancelled;
        await forwardGate;
        fake.calls.forwarded.push(event);
      },
    },
  };
  return fake;
}

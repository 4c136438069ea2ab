import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  CancellationScope,
  condition,
  isCancellation,
  log,
  makeContinueAsNewFunc,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities, CreateBatchResult } from '../activities';
import {
  type BatchState,
  finish,
  type IncomingEvent,
  initialState,
  isTerminal,
  noteQuietReconciliation,
  quietTimeoutMs,
  reduce,
  setBatchId,
  type TerminalStatus,
} from '../bland/lifecycle';
import { type BatchTimings, latestStartTime, toTimings } from '../bland/time';
import { operatorDetails } from './details';
import { startForwarder } from './forwarder';
import {
  type BatchOutcome,
  type BatchView,
  type BatchWorkflowInput,
  batchIdKey,
  batchStatusKey,
  blandStatusSignal,
  type CancelState,
  type ContinuedState,
  cancelUpdate,
  type ForwardedEvent,
  statusQuery,
} from './messages';

const BLAND_REJECTED = 'BlandRejected';
/** Patch id: a cancel abandons a create that is still retrying (runs from before replay without it). */
const CANCEL_ABANDONS_CREATE = 'cancel-abandons-create';

/** Reading logs and stopping are best effort: a few tries, then the story goes on without them. */
const { findBatch, reconcileBatch } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  scheduleToCloseTimeout: '5 minutes',
  retry: {
    initialInterval: '1s',
    backoffCoefficient: 2,
    maximumInterval: '30s',
    nonRetryableErrorTypes: [BLAND_REJECTED],
  },
});

/** A stop is what keeps people from being called: it gets half an hour of retries. */
const { stopBatch } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  scheduleToCloseTimeout: '30 minutes',
  retry: {
    initialInterval: '1s',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    nonRetryableErrorTypes: [BLAND_REJECTED],
  },
});

/** Callers' webhooks get far more patience than Bland's single attempt: up to a day per event. */
const { notifyClient } = proxyActivities<Activities>({
  startToCloseTimeout: '30s',
  scheduleToCloseTimeout: '24h',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '10m' },
});

/**
 * One Bland batch, from submission to its final status. Bland reports through webhooks that
 * arrive as signals — early, twice, out of order or never — and the pure reducer in
 * bland/lifecycle.ts decides what each one means; this function only waits, reads logs when a
 * phase stays silent, and ends the story on a final status, a cancel or the deadline.
 */
export async function batchWorkflow(input: BatchWorkflowInput): Promise<BatchOutcome> {
  const info = workflowInfo();
  const carried = input.continued;
  const submission = input.submission;
  if (!carried && !submission) throw ApplicationFailure.nonRetryable('batchWorkflow needs a submission', 'BadInput');

  const options = carried?.options ?? submission!.options;
  const timings: BatchTimings = toTimings(options);
  const callerWebhook = carried ? carried.caller_webhook : submission!.status_webhook;
  const createdAt = carried?.created_at ?? new Date(info.startTime).toISOString();
  const deadlineAt = carried?.deadline_at ?? info.startTime.getTime() + timings.deadlineMs;
  const latestStartAt = carried ? carried.latest_start_at : latestStartTime(submission!);

  let state: BatchState = carried?.state ?? initialState();
  let cancel: CancelState | undefined = carried?.cancel;
  const outbox: ForwardedEvent[] = [...(carried?.outbox ?? [])];
  // Forwards accepted events to the caller while the story goes on.
  const forwarder = startForwarder(callerWebhook, outbox, notifyClient, carried?.forwards_failed);
  let published = { status: '', batchId: '' };

  /** Applies one event through the reducer and queues what it changed for the caller. */
  function apply(incoming: IncomingEvent): void {
    const before = state;
    state = reduce(state, incoming);
    queueAppliedSince(before);
    publish();
  }

  function queueAppliedSince(before: BatchState): void {
    if (!callerWebhook || state.version === before.version) return;
    const fresh = state.events.filter((e) => e.applied && !before.events.some((b) => b.key === e.key));
    for (const e of fresh) {
      outbox.push({
        key: e.key,
        workflow_id: info.workflowId,
        batch_id: state.batch_id,
        status: e.status,
        source: e.source,
        timestamp: e.timestamp,
        message: e.message,
        code: e.code,
        reason: e.reason,
        counts: e.counts,
      });
    }
  }

  /** Ends the batch from our side and tells the caller, as Bland would have. */
  function end(status: TerminalStatus, code: string, reason: string): void {
    if (isTerminal(state)) return;
    const at = new Date().toISOString();
    state = finish(state, { status, code, reason, at });
    if (callerWebhook) {
      outbox.push({
        key: `orchestrator:${code}`,
        workflow_id: info.workflowId,
        batch_id: state.batch_id,
        status,
        source: 'orchestrator',
        timestamp: at,
        code,
        reason,
        counts: state.counts,
      });
    }
    publish();
  }

  /** Search attributes when the status or batch id changed; the UI's current details always. */
  function publish(): void {
    setCurrentDetails(operatorDetails(view()));
    const status = state.phase;
    const batchId = state.batch_id ?? '';
    if (status === published.status && batchId === published.batchId) return;
    upsertSearchAttributes([
      { key: batchStatusKey, value: status },
      ...(batchId ? [{ key: batchIdKey, value: batchId }] : []),
    ]);
    published = { status, batchId };
  }

  function view(): BatchView {
    return {
      id: info.workflowId,
      batch_id: state.batch_id,
      status: state.phase,
      final: state.final,
      counts: state.counts,
      progress: state.progress,
      last_message: state.last_message,
      events: state.events,
      events_dropped: state.events_dropped,
      duplicates: state.duplicates,
      cancel,
      options,
      created_at: createdAt,
      deadline_at: new Date(deadlineAt).toISOString(),
      forwards_pending: outbox.length,
      forwards_failed: forwarder.failed,
    };
  }

  setHandler(blandStatusSignal, ({ event, key, received_at }) => {
    apply({ event, key, received_at, source: 'webhook' });
  });
  setHandler(statusQuery, view);
  setHandler(
    cancelUpdate,
    async (request) => {
      cancel ??= { requested_at: new Date().toISOString(), reason: request.reason, handled: false };
      await condition(() => isTerminal(state));
      return view();
    },
    {
      validator: (_request) => {
        if (isTerminal(state)) throw new Error(`batch already ${state.phase}`);
      },
    },
  );

  publish();

  // 1. Create the batch at Bland (skipped after continue-as-new).
  if (!carried) {
    try {
      const created = await createUnlessCancelled();
      if (created) {
        const before = state;
        state = setBatchId(state, created.batch_id);
        queueAppliedSince(before);
        publish();
        if (created.adopted) log.info('adopted an existing batch', { batch_id: created.batch_id });
      } else {
        cancel = { ...cancel!, handled: true };
        end('failed', 'orchestrator_cancelled', 'cancelled before Bland created the batch');
      }
    } catch (err) {
      end('failed', isRejected(err) ? 'create_rejected' : 'create_failed', failureMessage(err));
    }
  }

  // 2. Follow the batch until Bland (or we) reach a final status.
  while (!isTerminal(state)) {
    if (cancel && !cancel.handled) {
      await settleCancel(cancel);
      continue;
    }
    if (Date.now() >= deadlineAt) {
      await settleDeadline();
      continue;
    }
    const version = state.version;
    const quiet = quietTimeoutMs(state, timings, Date.now(), latestStartAt);
    const woke = await condition(
      () => state.version !== version || (cancel !== undefined && !cancel.handled),
      Math.max(1, Math.min(quiet, deadlineAt - Date.now())),
    );
    if (!woke && Date.now() < deadlineAt) await reconcile();
    if (!isTerminal(state) && workflowInfo().continueAsNewSuggested) await continueAsNewWithState();
  }

  // 3. Let the caller hear everything, then report the outcome.
  await forwarder.drain();
  await condition(allHandlersFinished);
  return outcome();

  /**
   * Creates the batch, retrying an unavailable Bland until the deadline. A cancel during those
   * retries abandons them once the attempt in flight has settled. Whenever the create ends without
   * a reply (cancelled, out of time, failed after a cancel request), an attempt may still have
   * made the batch, so Bland is asked: a batch found is followed (and stopped by the cancel or
   * deadline), undefined means a cancel left no batch behind.
   */
  async function createUnlessCancelled(): Promise<CreateBatchResult | undefined> {
    const { createBatch } = proxyActivities<Activities>({
      startToCloseTimeout: '1 minute',
      scheduleToCloseTimeout: Math.max(1_000, deadlineAt - Date.now()),
      retry: {
        initialInterval: '1s',
        backoffCoefficient: 2,
        maximumInterval: '1 minute',
        nonRetryableErrorTypes: [BLAND_REJECTED],
      },
      cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    });
    const scope = new CancellationScope();
    const attempt = scope.run(() => createBatch({ workflowId: info.workflowId, submission: submission! }));
    // Runs started before this behaviour existed let the create settle on its own (replay safety).
    const abandonable = patched(CANCEL_ABANDONS_CREATE);
    if (abandonable) {
      // Never resolves when no cancel comes; cancelling a finished scope later is harmless.
      void condition(() => cancel !== undefined).then(() => scope.cancel());
    }
    try {
      return await attempt;
    } catch (err) {
      if (!abandonable || isRejected(err)) throw err;
      const { batch_id } = await findBatch({ workflowId: info.workflowId, notBefore: info.startTime.getTime() });
      if (batch_id) return { batch_id, adopted: true };
      if (cancel || isCancellation(err)) return undefined;
      throw err;
    }
  }

  async function reconcile(): Promise<void> {
    if (!state.batch_id) return;
    const version = state.version;
    try {
      const found = await reconcileBatch({ batchId: state.batch_id });
      const received_at = new Date().toISOString();
      for (const { key, event } of found) apply({ event, key, received_at, source: 'reconciled' });
    } catch (err) {
      log.warn('reading Bland logs failed; waiting for webhooks', { error: failureMessage(err) });
    }
    if (state.version === version) state = noteQuietReconciliation(state);
  }

  /** Stop at Bland, give it cancel_grace to say its final word (that is the outcome), else read the logs once. */
  async function settleCancel(request: CancelState): Promise<void> {
    cancel = { ...request, handled: true };
    const stopError = state.batch_id ? await tryStop() : undefined;
    if (state.batch_id && !stopError) await condition(() => isTerminal(state), timings.cancelGraceMs);
    if (!isTerminal(state)) await reconcile();
    const reason = `cancelled${request.reason ? `: ${request.reason}` : ''}`;
    if (stopError)
      end(
        'completed_partial',
        'cancel_stop_failed',
        `${reason}; stopping the batch at Bland failed, it may still be running: ${stopError}`,
      );
    else end('completed_partial', 'orchestrator_cancelled', reason);
  }

  /**
   * A final reconciliation first: a batch that finished while its webhook was lost ends with its
   * real status. Otherwise the deadline is the outcome, after stopping the batch when asked to.
   */
  async function settleDeadline(): Promise<void> {
    await reconcile();
    if (isTerminal(state)) return;
    const stopError = timings.onDeadline === 'stop' && state.batch_id ? await tryStop() : undefined;
    const reason = `deadline of ${options.deadline} reached`;
    end(
      'completed_partial',
      'orchestrator_deadline',
      stopError ? `${reason}; stopping the batch at Bland failed, it may still be running: ${stopError}` : reason,
    );
  }

  /** Stops the batch at Bland; the error message when that failed for good. */
  async function tryStop(): Promise<string | undefined> {
    try {
      await stopBatch({ batchId: state.batch_id! });
      return undefined;
    } catch (err) {
      log.warn('stopping the batch at Bland failed', { error: failureMessage(err) });
      return failureMessage(err);
    }
  }

  /**
   * Hands the state to a fresh run. A pending cancel comes first (its handler waits for the end,
   * so it would never finish here): then this returns and the loop settles the cancel. Undelivered
   * forwards travel in the outbox; the one in flight is abandoned and sent again by the next run.
   */
  async function continueAsNewWithState(): Promise<void> {
    const cancelPending = () => cancel !== undefined && !cancel.handled;
    await condition(() => allHandlersFinished() || cancelPending());
    if (cancelPending()) return;
    await forwarder.pause();
    const next: ContinuedState = {
      options,
      caller_webhook: callerWebhook,
      state,
      created_at: createdAt,
      deadline_at: deadlineAt,
      latest_start_at: latestStartAt,
      cancel,
      outbox,
      forwards_failed: forwarder.failed,
    };
    // The memo holds the submission's hash, by which a reused Idempotency-Key is recognised.
    await makeContinueAsNewFunc<typeof batchWorkflow>({ memo: workflowInfo().memo })({ continued: next });
  }

  function outcome(): BatchOutcome {
    const final = state.final!;
    return {
      id: info.workflowId,
      batch_id: state.batch_id,
      status: final.status,
      code: final.code,
      reason: final.reason,
      counts: state.counts,
      source: final.source,
      events: state.events,
      created_at: createdAt,
      finished_at: final.at,
    };
  }
}

/** Bland refused the request itself (4xx): final, and no batch was made. */
function isRejected(err: unknown): boolean {
  return err instanceof ActivityFailure && err.cause instanceof ApplicationFailure && err.cause.type === BLAND_REJECTED;
}

function failureMessage(err: unknown): string {
  if (err instanceof ActivityFailure && err.cause) return err.cause.message;
  return err instanceof Error ? err.message : String(err);
}

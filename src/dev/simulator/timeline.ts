import type { SimEvent } from './types';
import type { CreatePlan, PlannedCall } from './validate';

/**
 * The phases of one batch as data, pure: which event at which offset (ms after create). The
 * SimBatch plays it with timers; a stop replaces the rest of it.
 */

export type PhaseFields = Omit<SimEvent, 'batch_id' | 'timestamp'>;
export type TimelineStep =
  | { at: number; kind: 'phase'; fields: PhaseFields; dispatched?: number }
  | { at: number; kind: 'final' };

export interface Pace {
  stepMs: number;
  callMs: number;
  chunkSize: number;
}

export interface Counts {
  total: number;
  successful: number;
  failed: number;
}

/** Calls dispatched right away (not skipped, not scheduled), in entry order. */
export function immediateCalls(plan: CreatePlan): PlannedCall[] {
  return plan.calls.filter((c) => c.outcome !== 'skipped' && c.startAt === undefined);
}

export function buildTimeline(plan: CreatePlan, pace: Pace, startedAt: number): TimelineStep[] {
  const { stepMs: s, callMs: c, chunkSize } = pace;
  const { calls, missingPhoneIndex, latestStartAt } = plan;
  const total = calls.length;
  const validated = calls.filter((call) => call.outcome !== 'skipped').length;
  const immediate = immediateCalls(plan).length;
  const steps: TimelineStep[] = [
    { at: s, kind: 'phase', fields: { status: 'validating', message: `Validating ${total} calls.` } },
  ];
  if (missingPhoneIndex !== undefined) {
    const reason = `Entry #${missingPhoneIndex} did not have a phone number.`;
    steps.push({ at: 2 * s, kind: 'phase', fields: { status: 'failed', code: 'source_invalid', reason } });
    return steps;
  }
  const requested = `Requested: ${total}. Validated: ${validated}.`;
  steps.push({ at: 2 * s, kind: 'phase', fields: { status: 'dispatching', message: requested } });

  const chunked = total > chunkSize;
  const chunks = chunked ? Math.max(1, Math.ceil(immediate / chunkSize)) : 1;
  for (let k = 0; k < chunks; k++) {
    const dispatched = chunked ? Math.min((k + 1) * chunkSize, immediate) : immediate;
    const cps = (dispatched / Math.max(((k + 1) * c) / 1000, 0.001)).toFixed(2);
    steps.push({
      at: 3 * s + k * c,
      kind: 'phase',
      fields: {
        status: chunked ? 'in_progress_chunked' : 'in_progress',
        message: `${requested} Dispatched: ${dispatched}. CPS: ${cps}.`,
      },
      dispatched,
    });
  }
  const lastDispatch = 3 * s + (chunks - 1) * c;
  let finalAt = lastDispatch + c;
  if (latestStartAt !== undefined) {
    const waitingAt = lastDispatch + s;
    const scheduled = calls.filter((call) => call.startAt !== undefined).length;
    const message = `${scheduled} scheduled calls pending.`;
    steps.push({ at: waitingAt, kind: 'phase', fields: { status: 'waiting_for_scheduled_calls', message } });
    // "Shortly after the latest start_time": those calls run for one call duration.
    finalAt = Math.max(latestStartAt - startedAt, waitingAt) + c;
  }
  steps.push({ at: finalAt, kind: 'final' });
  return steps;
}

/** The final event of a batch that ran to its end. */
export function finalOutcome(plan: CreatePlan): { fields: PhaseFields; counts: Counts } {
  const total = plan.calls.length;
  const successful = plan.calls.filter((c) => c.outcome === 'success').length;
  const failed = total - successful;
  const counts = { total, successful, failed };
  if (failed === 0) return { fields: { status: 'completed', message: 'Batch completed.' }, counts };
  const reason = `${failed} of ${total} calls failed or were skipped.`;
  return {
    fields: { status: 'completed_partial', message: 'Batch completed_partial.', code: 'calls_failed', reason },
    counts,
  };
}

/** The final event of a stopped batch: only the calls already dispatched can have succeeded. */
export function stoppedOutcome(plan: CreatePlan, dispatched: number): { fields: PhaseFields; counts: Counts } {
  const total = plan.calls.length;
  const successful = immediateCalls(plan)
    .slice(0, dispatched)
    .filter((c) => c.outcome === 'success').length;
  return {
    fields: {
      status: 'completed_partial',
      message: 'Batch stopped.',
      code: 'batch_stopped',
      reason: 'Batch stopped by request.',
    },
    counts: { total, successful, failed: total - successful },
  };
}

import { buildTimeline, type Counts, finalOutcome, immediateCalls, type PhaseFields, stoppedOutcome } from './timeline';
import type { Timers } from './timers';
import {
  SIM_ORG_ID,
  SIM_USER_ID,
  type SimBatchSummary,
  type SimEvent,
  type SimLogEntry,
  type WebhookAttempt,
  type WebhookFaults,
} from './types';
import type { CreatePlan } from './validate';
import { Outbox } from './webhooks';

export interface BatchDeps {
  stepMs: number;
  callMs: number;
  chunkSize: number;
  stopSendsFinal: boolean;
  webhookSecret?: string;
  timers: Timers;
  /** Aborted when the simulator closes or resets: cancels webhook deliveries in flight. */
  signal: AbortSignal;
  webhookFaults: (marker: string | undefined) => WebhookFaults;
  nextLogId: () => number;
  log: (line: string) => void;
}

interface Step {
  at: number;
  run: () => void;
}

const TERMINAL = new Set(['completed', 'failed', 'completed_partial']);

/**
 * One simulated batch: plays its timeline (one phase per stepMs); every event is written to the
 * logs and POSTed once to `status_webhook`, subject to the webhook faults of the batch's marker.
 */
export class SimBatch {
  readonly createdAt: string;
  readonly logs: SimLogEntry[] = [];
  readonly webhooks: WebhookAttempt[] = [];
  status = 'created';
  stopCalls = 0;
  counts?: Counts;
  private stopped = false;
  private dispatched = 0;
  private steps: Step[] = [];
  private timer?: NodeJS.Timeout;
  private lastStamp = 0;
  private readonly startedAt: number;
  private readonly outbox: Outbox;

  constructor(
    readonly id: string,
    readonly plan: CreatePlan,
    private readonly deps: BatchDeps,
  ) {
    this.startedAt = Date.now();
    this.createdAt = new Date(this.startedAt).toISOString();
    this.outbox = new Outbox({
      ...(plan.statusWebhook ? { url: plan.statusWebhook } : {}),
      ...(deps.webhookSecret ? { secret: deps.webhookSecret } : {}),
      signal: deps.signal,
      timers: deps.timers,
      faults: () => deps.webhookFaults(plan.marker),
      attempts: this.webhooks,
      log: deps.log,
    });
  }

  get finished(): boolean {
    return TERMINAL.has(this.status);
  }

  /** Starts playing the timeline (called once the create reply is on its way). */
  start(): void {
    const timeline = buildTimeline(this.plan, this.deps, this.startedAt);
    this.schedule(
      timeline.map((step) => ({
        at: step.at,
        run:
          step.kind === 'final'
            ? () => {
                this.dispatched = immediateCalls(this.plan).length;
                const { fields, counts } = finalOutcome(this.plan);
                this.end(fields, counts);
              }
            : () => {
                if (step.dispatched !== undefined) this.dispatched = step.dispatched;
                this.emit(step.fields);
              },
      })),
    );
  }

  /** Nothing new is dispatched; with stopSendsFinal the batch ends `batch_stopped` one step later. */
  stop(): void {
    this.stopCalls++;
    if (this.finished || this.stopped) return;
    this.stopped = true;
    this.deps.log(`${this.id} stop requested (status ${this.status})`);
    if (!this.deps.stopSendsFinal) {
      this.schedule([]);
      this.outbox.flush();
      return;
    }
    const { fields, counts } = stoppedOutcome(this.plan, this.dispatched);
    const at = Date.now() - this.startedAt + this.deps.stepMs;
    this.schedule([{ at, run: () => this.end(fields, counts) }]);
  }

  dispose(): void {
    this.deps.timers.cancel(this.timer);
    this.timer = undefined;
    this.steps = [];
  }

  private schedule(steps: Step[]): void {
    this.dispose();
    this.steps = [...steps].sort((a, b) => a.at - b.at);
    this.next();
  }

  private next(): void {
    const step = this.steps.shift();
    if (!step) return;
    this.timer = this.deps.timers.after(step.at - (Date.now() - this.startedAt), () => {
      this.timer = undefined;
      step.run();
      this.next();
    });
  }

  /** The final lifecycle event, then one `complete` log entry with the counts. */
  private end(fields: PhaseFields, counts: Counts): void {
    this.counts = counts;
    this.emit({
      ...fields,
      calls_total: counts.total,
      calls_successful: counts.successful,
      calls_failed: counts.failed,
    });
    this.appendLog('complete', this.stamp(), {
      calls_total: counts.total,
      calls_failed: counts.failed,
      calls_successful: counts.successful,
    });
  }

  /** Writes one event to the logs and sends its webhook; both carry the same timestamp. */
  private emit(fields: PhaseFields): void {
    const event: SimEvent = { batch_id: this.id, ...fields, timestamp: this.stamp() };
    this.status = event.status;
    const payload: Record<string, unknown> = { message: event.message ?? '', state_change: event.status };
    if (event.code !== undefined) payload.code = event.code;
    if (event.reason !== undefined) payload.reason = event.reason;
    this.appendLog('lifecycle', event.timestamp, payload);
    this.deps.log(`${this.id} ${event.status}${event.message ? ` "${event.message}"` : ''}`);
    this.outbox.push(event, this.finished);
  }

  private appendLog(eventType: SimLogEntry['event_type'], timestamp: string, payload: Record<string, unknown>): void {
    const entry = { id: this.deps.nextLogId(), batch_id: this.id, org_id: SIM_ORG_ID, event_type: eventType };
    this.logs.push({ ...entry, timestamp, payload });
  }

  /** Strictly increasing ISO timestamps within a batch, so the logs sort in emission order. */
  private stamp(): string {
    this.lastStamp = Math.max(Date.now(), this.lastStamp + 1);
    return new Date(this.lastStamp).toISOString();
  }

  summary(): SimBatchSummary {
    const summary: SimBatchSummary = {
      batch_id: this.id,
      description: this.plan.description,
      created_at: this.createdAt,
      status: this.status,
      calls: this.plan.calls.length,
      stop_calls: this.stopCalls,
      stopped: this.stopped,
      webhooks: this.webhooks.map((w) => ({ ...w })),
    };
    if (this.plan.marker !== undefined) summary.marker = this.plan.marker;
    if (this.counts) summary.counts = { ...this.counts };
    return summary;
  }

  /** The record of GET /v2/batches/{id} and of the list: base_prompt is JSON of `global`. */
  record(): Record<string, unknown> {
    return {
      id: this.id,
      user_id: SIM_USER_ID,
      base_prompt: JSON.stringify(this.plan.global),
      created_at: this.createdAt,
      call_objects: (this.plan.body.call_objects as unknown[]).slice(0, 10),
      description: this.plan.description,
    };
  }

  /** GET /v1/calls?batch_id= : one row per entry. */
  calls(): Record<string, unknown>[] {
    const dispatched = new Set(
      immediateCalls(this.plan)
        .slice(0, this.dispatched)
        .map((c) => c.index),
    );
    const ranToEnd = this.counts !== undefined && !this.stopped;
    return this.plan.calls.map((call) => {
      const done = ranToEnd || dispatched.has(call.index);
      const status =
        call.outcome === 'skipped' ? 'skipped' : !done ? 'queued' : call.outcome === 'success' ? 'completed' : 'failed';
      return {
        c_id: `${this.id}-${call.index}`,
        batch_id: this.id,
        to: call.phone ?? null,
        created_at: this.createdAt,
        queue_status: status,
        completed: status === 'completed',
      };
    });
  }
}

import type { StatusEvent } from './schemas';
import { BATCH_STATUSES, type KnownBatchStatus } from './statuses';
import type { BatchTimings } from './time';

/**
 * The life of one batch as plain data: `reduce(state, event) -> state`. Pure (no I/O, no clock),
 * so the workflow can drive it deterministically and tests can run it without a server.
 *
 * Bland sends each status webhook once, possibly late, twice (our reconciliation reads the same
 * facts from the logs), out of order, or never; these rules make the result independent of that.
 */

export type EventSource = 'webhook' | 'reconciled' | 'orchestrator';
export type TerminalStatus = 'completed' | 'failed' | 'completed_partial';
/** Before Bland has said anything: the create call is running, or has returned. */
export type LocalPhase = 'creating' | 'submitted';
export type Phase = LocalPhase | KnownBatchStatus;

export const TERMINAL_STATUSES: readonly TerminalStatus[] = ['completed', 'failed', 'completed_partial'];

const RANK: Record<Phase, number> = {
  creating: 0,
  submitted: 1,
  validating: 2,
  dispatching: 3,
  in_progress: 4,
  in_progress_chunked: 4,
  waiting_for_scheduled_calls: 5,
  completed: 6,
  failed: 6,
  completed_partial: 6,
};

/** Why an event was recorded without being applied. */
export type EventNote = 'regression' | 'unknown_status' | 'after_terminal' | 'foreign_batch' | 'no_change';

export interface Counts {
  total: number;
  successful: number;
  failed: number;
}

export interface Progress {
  requested?: number;
  validated?: number;
  dispatched?: number;
  cps?: number;
}

export interface RecordedEvent {
  key: string;
  source: EventSource;
  batch_id: string;
  status: string;
  timestamp: string;
  received_at: string;
  applied: boolean;
  note?: EventNote;
  message?: string;
  code?: string;
  reason?: string;
  counts?: Counts;
}

export interface IncomingEvent {
  event: StatusEvent;
  /** Dedup key; `eventKey(event)` for webhooks, the log entry id for reconciled events. */
  key: string;
  source: EventSource;
  received_at: string;
}

export interface Final {
  status: TerminalStatus;
  code?: string;
  reason?: string;
  source: EventSource;
  at: string;
}

export interface BatchState {
  phase: Phase;
  batch_id?: string;
  counts?: Counts;
  progress?: Progress;
  last_message?: string;
  final?: Final;
  events: RecordedEvent[];
  /** Events recorded beyond MAX_EVENTS were dropped from `events` (the oldest after the first few). */
  events_dropped: number;
  /** Dedup keys of every event seen (bounded to the most recent MAX_KEYS). */
  seen: string[];
  duplicates: number;
  /** Events that arrived before the create call returned the batch id. */
  pending: IncomingEvent[];
  /** Bumped on every change that matters to timers: the workflow waits on it. */
  version: number;
  /** Consecutive reconciliations that found nothing new (backs the quiet timer off). */
  quiet_streak: number;
}

export const MAX_EVENTS = 500;
export const MAX_KEYS = 20_000;
const KEEP_FIRST_EVENTS = 50;

export function initialState(): BatchState {
  return {
    phase: 'creating',
    events: [],
    events_dropped: 0,
    seen: [],
    duplicates: 0,
    pending: [],
    version: 0,
    quiet_streak: 0,
  };
}

export function isKnownStatus(status: string): status is KnownBatchStatus {
  return (BATCH_STATUSES as readonly string[]).includes(status);
}

export function isTerminalStatus(status: string): status is TerminalStatus {
  return (TERMINAL_STATUSES as readonly string[]).includes(status);
}

export function isTerminal(state: BatchState): boolean {
  return state.final !== undefined;
}

/** Records the batch id Bland returned and applies the events that arrived before it. */
export function setBatchId(state: BatchState, batchId: string): BatchState {
  let next: BatchState = { ...state, batch_id: batchId, pending: [], version: state.version + 1 };
  if (next.phase === 'creating') next.phase = 'submitted';
  for (const early of state.pending) next = reduce(next, early);
  return next;
}

export function reduce(state: BatchState, incoming: IncomingEvent): BatchState {
  if (state.seen.includes(incoming.key)) return { ...state, duplicates: state.duplicates + 1 };
  if (state.batch_id === undefined) {
    return { ...state, pending: [...state.pending, incoming] };
  }
  const { event } = incoming;
  const seen = remember(state.seen, incoming.key);
  const note = classify(state, event);
  const recorded = record(incoming, note);
  const base: BatchState = {
    ...state,
    seen,
    events: appendEvent(state.events, recorded),
    events_dropped: state.events_dropped,
  };
  if (state.events.length >= MAX_EVENTS) base.events_dropped += 1;
  if (note !== undefined) return base;

  const next: BatchState = {
    ...base,
    phase: event.status as KnownBatchStatus,
    version: state.version + 1,
    quiet_streak: 0,
  };
  if (event.message !== undefined) {
    next.last_message = event.message;
    const parsed = parseProgress(event.message);
    if (parsed) next.progress = mergeProgress(state.progress, parsed);
  }
  const counts = countsOf(event);
  if (counts) next.counts = counts;
  if (isTerminalStatus(event.status)) {
    next.final = {
      status: event.status,
      code: event.code,
      reason: event.reason,
      source: incoming.source,
      at: incoming.received_at,
    };
  }
  return next;
}

function classify(state: BatchState, event: StatusEvent): EventNote | undefined {
  if (event.batch_id !== state.batch_id) return 'foreign_batch';
  if (state.final) return 'after_terminal';
  if (!isKnownStatus(event.status)) return 'unknown_status';
  const rank = RANK[event.status];
  const current = RANK[state.phase];
  if (rank < current) return 'regression';
  if (rank === current && event.status === state.phase && countsOf(event) === undefined) {
    // The same phase again (the logs repeat what webhooks said, chunks arrive late): only news
    // counts, i.e. progress that moves forward, or another message when there is no progress.
    const progress = event.message === undefined ? undefined : parseProgress(event.message);
    const news = progress ? advances(state.progress, progress) : (event.message ?? '') !== (state.last_message ?? '');
    if (!news) return 'no_change';
  }
  return undefined;
}

const COUNTERS = ['requested', 'validated', 'dispatched'] as const;

/** Whether `next` moves any counter beyond `current` (counters only grow; CPS is a reading). */
function advances(current: Progress | undefined, next: Progress): boolean {
  return COUNTERS.some((field) => next[field] !== undefined && next[field] > (current?.[field] ?? -1));
}

/** Counters keep their highest value, so a late chunk cannot move progress backwards. */
function mergeProgress(current: Progress | undefined, next: Progress): Progress {
  const merged: Progress = { ...current, ...next };
  for (const field of COUNTERS) {
    const highest = Math.max(current?.[field] ?? -1, next[field] ?? -1);
    if (highest >= 0) merged[field] = highest;
  }
  return merged;
}

/** Ends the batch from the orchestrator's side (create rejected, deadline, cancel). */
export function finish(state: BatchState, final: Omit<Final, 'source'> & { source?: EventSource }): BatchState {
  if (state.final) return state;
  return {
    ...state,
    phase: final.status,
    final: { ...final, source: final.source ?? 'orchestrator' },
    version: state.version + 1,
  };
}

/** Notes that a reconciliation found nothing new, so the next quiet period may be longer. */
export function noteQuietReconciliation(state: BatchState): BatchState {
  return { ...state, quiet_streak: state.quiet_streak + 1 };
}

/**
 * How long the current phase may stay silent before the workflow reads Bland's logs. Long phases
 * get more room, and each fruitless reconciliation doubles the wait (up to 8x) so a batch that is
 * simply busy for hours is not polled every few minutes.
 */
export function quietTimeoutMs(state: BatchState, timings: BatchTimings, now: number, latestStart?: number): number {
  const base = timings.quietMs;
  const backoff = 2 ** Math.min(state.quiet_streak, 3);
  const phaseFactor = state.phase === 'in_progress' || state.phase === 'in_progress_chunked' ? 2 : 1;
  const quiet = base * phaseFactor * backoff;
  if (state.phase === 'waiting_for_scheduled_calls' && latestStart !== undefined) {
    return Math.max(quiet, latestStart + timings.scheduledGraceMs - now);
  }
  return quiet;
}

const PROGRESS_FIELDS: [keyof Progress, RegExp][] = [
  ['requested', /requested\s*[:=]?\s*([\d,]+)/i],
  ['validated', /validated\s*[:=]?\s*([\d,]+)/i],
  ['dispatched', /dispatched\s*[:=]?\s*([\d,]+)/i],
  ['cps', /cps\s*[:=]?\s*(\d+(?:\.\d+)?)/i],
];

/** Parses "Requested: 100. Validated: 100. Dispatched: 100. CPS: 12.50." (any subset, any order). */
export function parseProgress(message: string): Progress | undefined {
  const progress: Progress = {};
  for (const [field, pattern] of PROGRESS_FIELDS) {
    const match = pattern.exec(message);
    if (!match?.[1]) continue;
    const value = Number(match[1].replace(/,/g, ''));
    if (Number.isFinite(value)) progress[field] = value;
  }
  return Object.keys(progress).length > 0 ? progress : undefined;
}

function countsOf(event: StatusEvent): Counts | undefined {
  const { calls_total: total, calls_successful: successful, calls_failed: failed } = event;
  if (total === undefined && successful === undefined && failed === undefined) return undefined;
  const s = successful ?? 0;
  const f = failed ?? 0;
  return { total: total ?? s + f, successful: s, failed: f };
}

function record(incoming: IncomingEvent, note: EventNote | undefined): RecordedEvent {
  const { event } = incoming;
  const recorded: RecordedEvent = {
    key: incoming.key,
    source: incoming.source,
    batch_id: event.batch_id,
    status: event.status,
    timestamp: event.timestamp,
    received_at: incoming.received_at,
    applied: note === undefined,
  };
  if (note) recorded.note = note;
  if (event.message !== undefined) recorded.message = event.message;
  if (event.code !== undefined) recorded.code = event.code;
  if (event.reason !== undefined) recorded.reason = event.reason;
  const counts = countsOf(event);
  if (counts) recorded.counts = counts;
  return recorded;
}

/** Keeps the first events (how the batch started) and the most recent ones. */
function appendEvent(events: RecordedEvent[], event: RecordedEvent): RecordedEvent[] {
  if (events.length < MAX_EVENTS) return [...events, event];
  return [...events.slice(0, KEEP_FIRST_EVENTS), ...events.slice(KEEP_FIRST_EVENTS + 1), event];
}

function remember(seen: string[], key: string): string[] {
  const next = [...seen, key];
  return next.length > MAX_KEYS ? next.slice(next.length - MAX_KEYS) : next;
}

import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type {
  BatchState,
  Counts,
  EventSource,
  Final,
  Phase,
  Progress,
  RecordedEvent,
  TerminalStatus,
} from '../bland/lifecycle';
import type { BatchOptions, BatchSubmission } from '../bland/options';
import type { StatusEvent } from '../bland/schemas';

/**
 * The messages of `batchWorkflow`, shared by the workflow, the HTTP API and the typed client.
 * Everything here is plain JSON: it lands in the workflow history, so it never holds a secret.
 */

export const WORKFLOW_TYPE = 'batchWorkflow';

/** A status webhook accepted by the API (token checked, body validated). */
export interface BlandStatusSignal {
  event: StatusEvent;
  /** `eventKey(event)`: the same body twice is one event. */
  key: string;
  received_at: string;
}
export const blandStatusSignal = defineSignal<[BlandStatusSignal]>('blandStatus');

export interface CancelRequest {
  reason?: string;
}
/** Rejected by its validator once the batch is terminal; resolves with the final view. */
export const cancelUpdate = defineUpdate<BatchView, [CancelRequest]>('cancel');

/** The whole state of the batch, for operators and the API. */
export const statusQuery = defineQuery<BatchView>('status');

export const batchStatusKey = defineSearchAttributeKey('BlandBatchStatus', SearchAttributeType.KEYWORD);
export const batchIdKey = defineSearchAttributeKey('BlandBatchId', SearchAttributeType.KEYWORD);

export interface BatchWorkflowInput {
  /** The submission (Bland's body + options). Absent after continue-as-new. */
  submission?: BatchSubmission;
  continued?: ContinuedState;
}

/** What one run hands the next through continue-as-new. */
export interface ContinuedState {
  options: BatchOptions;
  caller_webhook?: string;
  state: BatchState;
  created_at: string;
  deadline_at: number;
  latest_start_at?: number;
  cancel?: CancelState;
  /** Accepted events not yet forwarded to the caller's webhook. */
  outbox: ForwardedEvent[];
  /** Forwards given up on so far. */
  forwards_failed?: number;
}

export interface CancelState {
  requested_at: string;
  reason?: string;
  /** The stop call has been made (or was not needed). */
  handled: boolean;
}

/** What the caller's own `status_webhook` receives for each accepted event. */
export interface ForwardedEvent {
  /** Stable per event: callers dedup on it (sent as Idempotency-Key too). */
  key: string;
  workflow_id: string;
  batch_id?: string;
  status: string;
  source: EventSource;
  timestamp: string;
  message?: string;
  code?: string;
  reason?: string;
  counts?: Counts;
}

export interface BatchView {
  id: string;
  batch_id?: string;
  status: Phase;
  final?: Final;
  counts?: Counts;
  progress?: Progress;
  last_message?: string;
  events: RecordedEvent[];
  events_dropped: number;
  duplicates: number;
  cancel?: CancelState;
  options: BatchOptions;
  created_at: string;
  deadline_at: string;
  forwards_pending: number;
  forwards_failed: number;
}

/** The workflow's result, and `GET /v1/batches/:id` once the batch is closed. */
export interface BatchOutcome {
  id: string;
  batch_id?: string;
  status: TerminalStatus;
  code?: string;
  reason?: string;
  counts?: Counts;
  source: EventSource;
  events: RecordedEvent[];
  created_at: string;
  finished_at: string;
}

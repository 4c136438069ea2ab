import { createHash, randomUUID } from 'node:crypto';
import {
  Client,
  Connection,
  isGrpcServiceError,
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  type WorkflowHandle,
  WorkflowIdConflictPolicy,
  WorkflowIdReusePolicy,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateStage,
} from '@temporalio/client';
import { executionInfoFromRaw } from '@temporalio/client/lib/helpers';
import { z } from 'zod';
import { canonicalJson, eventKey } from './bland/event-key';
import type { Phase } from './bland/lifecycle';
import { type BatchSubmission, batchSubmissionSchema } from './bland/options';
import { describeIssues, type StatusEvent } from './bland/schemas';
import { BATCH_STATUSES } from './bland/statuses';
import type { Config } from './config';
import { temporalConnectionOptions } from './temporal-connection';
import {
  type BatchOutcome,
  type BatchView,
  type BatchWorkflowInput,
  batchIdKey,
  batchStatusKey,
  blandStatusSignal,
  cancelUpdate,
  statusQuery,
  WORKFLOW_TYPE,
} from './workflows/messages';

/**
 * The typed client for backend services written in TypeScript, and the one implementation behind
 * the HTTP API's routes: both validate with the same schema, derive the same workflow id, store
 * the same submission hash, and read the same state. Temporal is the only store: idempotency is
 * the workflow id under Temporal's id policies, not a map in some process.
 */

// --- Shared rules --------------------------------------------------------------------------------

/** `Idempotency-Key`: what the workflow id is made of, so it must be safe in ids, URLs and queries. */
export const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{1,200}$/;
export const WORKFLOW_ID_PREFIX = 'batch-';
/** Memo field holding the sha256 of the canonical submission: tells "same batch again" from "key reused". */
export const SUBMISSION_HASH_MEMO = 'submission_sha256';

/** Every value `BlandBatchStatus` can hold: our local phases, then Bland's. */
export const LISTABLE_STATUSES = ['creating', 'submitted', ...BATCH_STATUSES] as const satisfies readonly Phase[];
export type ListableStatus = (typeof LISTABLE_STATUSES)[number];

export const listQuerySchema = z.strictObject({
  status: z.enum(LISTABLE_STATUSES, { error: `expected one of ${LISTABLE_STATUSES.join(', ')}` }).optional(),
  limit: z.coerce
    .number({ error: 'expected a whole number from 1 to 100' })
    .int('expected a whole number from 1 to 100')
    .min(1, 'expected a whole number from 1 to 100')
    .max(100, 'expected a whole number from 1 to 100')
    .default(20),
  cursor: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,4096}$/, 'expected the next_cursor of a previous page')
    .optional(),
});
export type ListQuery = z.input<typeof listQuerySchema>;

export const cancelRequestSchema = z
  .strictObject({
    reason: z.string({ error: 'expected a reason string' }).max(500, 'expected at most 500 characters').optional(),
  })
  .meta({ id: 'CancelRequest', description: 'Why the batch is cancelled; kept in the batch state.' });

/** The workflow id for an idempotency key (validated), or a fresh one. */
export function workflowIdFor(idempotencyKey?: string): string {
  if (idempotencyKey === undefined) return `${WORKFLOW_ID_PREFIX}${randomUUID()}`;
  if (!IDEMPOTENCY_KEY.test(idempotencyKey)) {
    throw new InvalidIdempotencyKeyError('Idempotency-Key must be 1 to 200 characters of letters, digits and . _ : -');
  }
  return `${WORKFLOW_ID_PREFIX}${idempotencyKey}`;
}

/** Validates a submission body exactly as `POST /v1/batches` does. */
export function parseSubmission(body: unknown): BatchSubmission {
  const result = batchSubmissionSchema.safeParse(body);
  if (!result.success) {
    throw new InvalidRequestError('the batch submission is invalid', describeIssues(result.error));
  }
  return result.data;
}

/** sha256 of the parsed submission in canonical JSON (key order and defaults do not matter). */
export function submissionHash(submission: BatchSubmission): string {
  return createHash('sha256').update(canonicalJson(submission)).digest('hex');
}

// --- Errors: each carries the API's error code; the API maps codes to HTTP statuses ---------------

export interface Issue {
  path: string;
  message: string;
}

export class BatchClientError extends Error {
  override name = 'BatchClientError';
  constructor(
    readonly code: string,
    message: string,
    readonly issues?: Issue[],
  ) {
    super(message);
  }
}
export class InvalidRequestError extends BatchClientError {
  override name = 'InvalidRequestError';
  constructor(message: string, issues: Issue[], code = 'invalid_request') {
    super(code, message, issues);
  }
}
export class InvalidIdempotencyKeyError extends BatchClientError {
  override name = 'InvalidIdempotencyKeyError';
  constructor(message: string) {
    super('invalid_idempotency_key', message, [{ path: 'Idempotency-Key', message }]);
  }
}
export class IdempotencyKeyReusedError extends BatchClientError {
  override name = 'IdempotencyKeyReusedError';
  constructor(readonly id: string) {
    super('idempotency_key_reused', `Idempotency-Key already used for a different batch (${id})`);
  }
}
export class BatchNotFoundError extends BatchClientError {
  override name = 'BatchNotFoundError';
  constructor(readonly id: string) {
    super('not_found', `no batch with id ${id}`);
  }
}
export class BatchAlreadyTerminalError extends BatchClientError {
  override name = 'BatchAlreadyTerminalError';
  constructor(
    readonly id: string,
    detail?: string,
  ) {
    super('already_terminal', `batch ${id} has already finished${detail ? `: ${detail}` : ''}`);
  }
}
export class TemporalUnavailableError extends BatchClientError {
  override name = 'TemporalUnavailableError';
  constructor(message = 'Temporal did not answer in time', code = 'temporal_unavailable') {
    super(code, message);
  }
}

// --- Types of what the client returns ------------------------------------------------------------

export interface StartResult {
  id: string;
  status: string;
  /** false when the idempotency key named a batch that already exists (same body). */
  created: boolean;
}

/**
 * A running batch whose worker did not answer the status query in time (all workers down, or
 * busy): what Temporal itself knows, from the search attributes, instead of an error.
 */
export interface UnobservedBatch {
  id: string;
  state: 'no_worker';
  status: string;
  batch_id?: string;
  created_at: string;
  message: string;
}

export type BatchDetails = ({ state: 'running' } & BatchView) | ({ state: 'closed' } & BatchOutcome) | UnobservedBatch;

export interface BatchListItem {
  id: string;
  status: string | null;
  batch_id: string | null;
  workflow_status: string;
  started_at: string;
  closed_at: string | null;
}

export interface BatchPage {
  items: BatchListItem[];
  next_cursor: string | null;
}

export type DeliveryResult = { accepted: true } | { accepted: false; reason: 'batch_closed' };

export interface BatchClientOptions {
  client: Client;
  taskQueue: string;
  /** Deadline for plain calls (start, describe, signal, list). Default 5000 ms. */
  rpcTimeoutMs?: number;
  /** Deadline for calls a worker must answer (status query, cancel update). Default 10000 ms. */
  workerTimeoutMs?: number;
}

export class BatchClient {
  readonly client: Client;
  readonly taskQueue: string;
  readonly namespace: string;
  private readonly rpcTimeoutMs: number;
  private readonly workerTimeoutMs: number;

  constructor(options: BatchClientOptions) {
    this.client = options.client;
    this.taskQueue = options.taskQueue;
    this.namespace = options.client.options.namespace;
    this.rpcTimeoutMs = options.rpcTimeoutMs ?? 5_000;
    this.workerTimeoutMs = options.workerTimeoutMs ?? 10_000;
  }

  /**
   * A client over a lazy connection: nothing is dialled until the first call, and the channel
   * reconnects by itself, so a process may start before Temporal does.
   */
  static fromConfig(
    config: Pick<Config, 'TEMPORAL_NAMESPACE' | 'TEMPORAL_TASK_QUEUE'> &
      Parameters<typeof temporalConnectionOptions>[0],
  ): BatchClient {
    const connection = Connection.lazy(temporalConnectionOptions(config));
    return new BatchClient({
      client: new Client({ connection, namespace: config.TEMPORAL_NAMESPACE }),
      taskQueue: config.TEMPORAL_TASK_QUEUE,
    });
  }

  /** Closes the underlying connection (when this client owns it). */
  async close(): Promise<void> {
    await this.client.connection.close();
  }

  /** True when the Temporal frontend answers a cheap call within `timeoutMs`. */
  async ready(timeoutMs = 2_000): Promise<boolean> {
    try {
      await this.client.withDeadline(Date.now() + timeoutMs, () => this.client.workflowService.getSystemInfo({}));
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Starts the batch workflow. With an idempotency key, the same key and the same body give the
   * same batch (`created: false`), also after it finished, for as long as Temporal retains the
   * workflow (the namespace's retention); the same key with another body throws
   * IdempotencyKeyReusedError.
   */
  async start(body: unknown, options: { idempotencyKey?: string } = {}): Promise<StartResult> {
    const workflowId = workflowIdFor(options.idempotencyKey);
    const submission = parseSubmission(body);
    const hash = submissionHash(submission);
    const input: BatchWorkflowInput = { submission };
    try {
      await this.rpc(() =>
        this.client.workflow.start(WORKFLOW_TYPE, {
          workflowId,
          taskQueue: this.taskQueue,
          args: [input],
          workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
          workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
          typedSearchAttributes: [{ key: batchStatusKey, value: 'creating' }],
          memo: { [SUBMISSION_HASH_MEMO]: hash },
          staticSummary: `${submission.description} (${submission.call_objects.length} calls)`,
        }),
      );
      return { id: workflowId, status: 'creating', created: true };
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
    const existing = await this.describe(workflowId);
    const storedHash = existing.memo?.[SUBMISSION_HASH_MEMO];
    // A run without the memo (started by other means) cannot be compared: treat it as the same batch.
    if (typeof storedHash === 'string' && storedHash !== hash) throw new IdempotencyKeyReusedError(workflowId);
    return {
      id: workflowId,
      status: existing.typedSearchAttributes.get(batchStatusKey) ?? 'creating',
      created: false,
    };
  }

  /** The live state while running (status query), the outcome once closed. */
  async get(id: string): Promise<BatchDetails> {
    const description = await this.describe(id);
    const handle = this.client.workflow.getHandle(id);
    if (description.status.name === 'RUNNING') {
      try {
        const view = await this.client.withDeadline(Date.now() + this.workerTimeoutMs, () => handle.query(statusQuery));
        return { ...view, id, state: 'running' };
      } catch (err) {
        if (isDeadlineExceeded(err)) {
          return {
            id,
            state: 'no_worker',
            status: description.typedSearchAttributes.get(batchStatusKey) ?? 'creating',
            batch_id: description.typedSearchAttributes.get(batchIdKey),
            created_at: description.startTime.toISOString(),
            message:
              'no worker answered the status query in time: the status shown is the last one the workflow published',
          };
        }
        // Closed between describe and query: read the outcome instead.
        if (!(err instanceof WorkflowNotFoundError) && !isClosedError(err)) throw translate(err);
      }
    }
    return { ...(await this.outcomeOf(id)), state: 'closed' };
  }

  /** Batches through Temporal visibility, newest first, a page at a time. */
  async list(query: ListQuery = {}): Promise<BatchPage> {
    const parsed = listQuerySchema.safeParse(query);
    if (!parsed.success) {
      throw new InvalidRequestError('invalid list parameters', describeIssues(parsed.error), 'invalid_query');
    }
    const { status, limit, cursor } = parsed.data;
    // Only constants and enum-checked values ever reach the query string.
    const clauses = [`WorkflowType = '${WORKFLOW_TYPE}'`];
    if (status) clauses.push(`${batchStatusKey.name} = '${status}'`);
    const nextPageToken = cursor === undefined ? undefined : decodeCursor(cursor);
    const response = await this.rpc(() =>
      this.client.workflowService.listWorkflowExecutions({
        namespace: this.namespace,
        query: clauses.join(' AND '),
        pageSize: limit,
        nextPageToken,
      }),
    );
    const items = await Promise.all(
      (response.executions ?? []).map(async (raw): Promise<BatchListItem> => {
        const info = await executionInfoFromRaw(raw, this.client.options.loadedDataConverter, raw, this.namespace);
        return {
          id: info.workflowId,
          status: info.typedSearchAttributes.get(batchStatusKey) ?? null,
          batch_id: info.typedSearchAttributes.get(batchIdKey) ?? null,
          workflow_status: info.status.name,
          started_at: info.startTime.toISOString(),
          closed_at: info.closeTime ? info.closeTime.toISOString() : null,
        };
      }),
    );
    const token = response.nextPageToken;
    return { items, next_cursor: token && token.length > 0 ? encodeCursor(token) : null };
  }

  /**
   * Asks the workflow to cancel. Resolves once the workflow accepted the request (its validator
   * passed); the batch then stops at Bland and ends `completed_partial` / `orchestrator_cancelled`
   * unless Bland reports a final status first.
   */
  async cancel(id: string, reason?: string): Promise<{ id: string; status: 'cancelling' }> {
    const request = cancelRequestSchema.safeParse(reason === undefined ? {} : { reason });
    if (!request.success) throw new InvalidRequestError('invalid cancel request', describeIssues(request.error));
    const description = await this.describe(id);
    if (description.status.name !== 'RUNNING') throw new BatchAlreadyTerminalError(id);
    try {
      await this.client.withDeadline(Date.now() + this.workerTimeoutMs, () =>
        this.client.workflow.getHandle(id).startUpdate(cancelUpdate, {
          args: [request.data],
          waitForStage: WorkflowUpdateStage.ACCEPTED,
        }),
      );
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) throw new BatchAlreadyTerminalError(id, err.cause?.message);
      if (err instanceof WorkflowNotFoundError || isClosedError(err)) {
        await this.describe(id); // unknown → BatchNotFoundError; else it closed meanwhile
        throw new BatchAlreadyTerminalError(id);
      }
      throw translate(err, 'the batch worker did not accept the cancel request in time');
    }
    return { id, status: 'cancelling' };
  }

  /** Waits for the batch to finish and returns its outcome. */
  async waitForOutcome(id: string): Promise<BatchOutcome> {
    await this.describe(id);
    return this.outcomeOf(id);
  }

  /**
   * Hands a verified Bland status event to the batch's workflow (used by the webhook route).
   * Resolves only once Temporal has accepted the signal.
   */
  async deliverStatusEvent(
    id: string,
    event: StatusEvent,
    options: { timeoutMs?: number } = {},
  ): Promise<DeliveryResult> {
    // One deadline for the whole delivery: Bland waits 10 s for our answer, once.
    const deadline = Date.now() + (options.timeoutMs ?? this.rpcTimeoutMs);
    try {
      await this.rpc(
        () =>
          this.client.workflow
            .getHandle(id)
            .signal(blandStatusSignal, { event, key: eventKey(event), received_at: new Date().toISOString() }),
        deadline,
      );
      return { accepted: true };
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError) && !isClosedError(err)) throw err;
    }
    // Not running: either it finished (nothing left to tell it) or it never existed.
    await this.describe(id, deadline);
    return { accepted: false, reason: 'batch_closed' };
  }

  // --- internals ---------------------------------------------------------------------------------

  /** The workflow behind a batch id; other workflows sharing the namespace are not batches. */
  private async describe(id: string, deadline?: number) {
    let description: Awaited<ReturnType<WorkflowHandle['describe']>>;
    try {
      description = await this.rpc(() => this.client.workflow.getHandle(id).describe(), deadline);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new BatchNotFoundError(id);
      throw err;
    }
    if (description.type !== WORKFLOW_TYPE) throw new BatchNotFoundError(id);
    return description;
  }

  /** The workflow's result; a run that ended without one (terminated, timed out…) gets a synthesized outcome. */
  private async outcomeOf(id: string): Promise<BatchOutcome> {
    const handle = this.client.workflow.getHandle(id);
    try {
      return await handle.result();
    } catch (err) {
      if (!(err instanceof WorkflowFailedError)) throw translate(err);
      const description = await this.describe(id);
      const when = (description.closeTime ?? new Date()).toISOString();
      return {
        id,
        batch_id: description.typedSearchAttributes.get(batchIdKey),
        status: 'failed',
        code: `workflow_${description.status.name.toLowerCase()}`,
        reason: err.cause?.message ?? err.message,
        source: 'orchestrator',
        events: [],
        created_at: description.startTime.toISOString(),
        finished_at: when,
      };
    }
  }

  /** A plain call with the RPC deadline; transport failures become TemporalUnavailableError. */
  private async rpc<T>(fn: () => Promise<T>, deadline = Date.now() + this.rpcTimeoutMs): Promise<T> {
    try {
      return await this.client.withDeadline(deadline, fn);
    } catch (err) {
      throw translate(err);
    }
  }
}

/**
 * The cursor is Temporal's page token in base64url, behind an 8-byte checksum: the server answers
 * a garbled token with a retryable UNKNOWN error, so garbage must be caught here, as a 400.
 */
export function encodeCursor(token: Uint8Array): string {
  return Buffer.concat([checksum(token), token]).toString('base64url');
}

export function decodeCursor(cursor: string): Buffer {
  const bytes = Buffer.from(cursor, 'base64url');
  const token = bytes.subarray(8);
  if (bytes.length <= 8 || !checksum(token).equals(bytes.subarray(0, 8))) {
    throw new InvalidRequestError(
      'invalid list parameters',
      [{ path: 'cursor', message: 'expected the next_cursor of a previous page' }],
      'invalid_query',
    );
  }
  return token;
}

function checksum(token: Uint8Array): Buffer {
  return createHash('sha256').update(token).digest().subarray(0, 8);
}

/** gRPC codes that mean "Temporal is not there (in time)", anywhere in the cause chain. */
const UNAVAILABLE_CODES = new Set([4 /* DEADLINE_EXCEEDED */, 14 /* UNAVAILABLE */, 1 /* CANCELLED */]);

function translate(err: unknown, timeoutMessage?: string): unknown {
  if (err instanceof BatchClientError) return err;
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (isGrpcServiceError(e) && UNAVAILABLE_CODES.has(e.code)) {
      return new TemporalUnavailableError(
        e.code === 4 && timeoutMessage ? timeoutMessage : `Temporal is unavailable (${e.details || 'no answer'})`,
      );
    }
    if ((e as Error)?.name === 'WorkflowUpdateRPCTimeoutOrCancelledError') {
      return new TemporalUnavailableError(timeoutMessage);
    }
  }
  return err;
}

/**
 * Our deadline ran out: for a query after a successful describe, no worker answered. grpc-js
 * reports its own deadline as DEADLINE_EXCEEDED or, racing it, as CANCELLED.
 */
function isDeadlineExceeded(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (isGrpcServiceError(e) && (e.code === 4 /* DEADLINE_EXCEEDED */ || e.code === 1) /* CANCELLED */) return true;
  }
  return false;
}

/** "workflow execution already completed": how the server answers a signal, query or update to a closed run. */
function isClosedError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (isGrpcServiceError(e) && e.code === 5 /* NOT_FOUND */) return true;
    if (e instanceof Error && /already completed/i.test(e.message)) return true;
  }
  return false;
}

import { z } from 'zod';
import type { Counts, Final, Progress, RecordedEvent } from '../bland/lifecycle';
import { batchOptionsSchema } from '../bland/options';
import type { BatchListItem, BatchPage, DeliveryResult, UnobservedBatch } from '../client';
import { LISTABLE_STATUSES } from '../client';
import type { BatchOutcome, BatchView, CancelState } from '../workflows/messages';

/**
 * The API's replies as zod schemas, for the OpenAPI document. The request bodies are the domain
 * schemas themselves (batchSubmissionSchema, statusEventSchema); the replies mirror TypeScript
 * interfaces of the workflow, and the `Same<>` checks at the bottom fail the typecheck when one
 * side changes without the other.
 */

export const issueSchema = z.object({
  path: z.string().meta({ description: 'Where the problem is, e.g. `call_objects[7].phone_number`.' }),
  message: z.string(),
});

export const errorSchema = z
  .object({
    error: z.object({
      code: z
        .string()
        .regex(/^[a-z][a-z0-9_]*$/)
        .meta({ description: 'snake_case, stable; switch on it.' }),
      message: z.string(),
      issues: z.array(issueSchema).optional(),
    }),
  })
  .meta({ id: 'Error', description: 'Every error reply.' });

const phaseSchema = z.enum(LISTABLE_STATUSES);
const terminalSchema = z.enum(['completed', 'failed', 'completed_partial']);
const sourceSchema = z.enum(['webhook', 'reconciled', 'orchestrator']);

const countsSchema = z
  .object({ total: z.number().int(), successful: z.number().int(), failed: z.number().int() })
  .meta({ id: 'Counts' });
const progressSchema = z
  .object({
    requested: z.number().optional(),
    validated: z.number().optional(),
    dispatched: z.number().optional(),
    cps: z.number().optional(),
  })
  .meta({ id: 'Progress', description: 'Parsed from in_progress_chunked messages.' });
const finalSchema = z
  .object({
    status: terminalSchema,
    code: z.string().optional(),
    reason: z.string().optional(),
    source: sourceSchema,
    at: z.string(),
  })
  .meta({ id: 'Final' });
const recordedEventSchema = z
  .object({
    key: z.string(),
    source: sourceSchema,
    batch_id: z.string(),
    status: z.string(),
    timestamp: z.string(),
    received_at: z.string(),
    applied: z.boolean(),
    note: z.enum(['regression', 'unknown_status', 'after_terminal', 'foreign_batch', 'no_change']).optional(),
    message: z.string().optional(),
    code: z.string().optional(),
    reason: z.string().optional(),
    counts: countsSchema.optional(),
  })
  .meta({ id: 'RecordedEvent', description: 'One event as the workflow saw it (applied or only recorded).' });
const cancelStateSchema = z
  .object({ requested_at: z.string(), reason: z.string().optional(), handled: z.boolean() })
  .meta({ id: 'CancelState' });

export const batchViewSchema = z.object({
  id: z.string(),
  batch_id: z.string().optional(),
  status: phaseSchema,
  final: finalSchema.optional(),
  counts: countsSchema.optional(),
  progress: progressSchema.optional(),
  last_message: z.string().optional(),
  events: z.array(recordedEventSchema),
  events_dropped: z.number().int(),
  duplicates: z.number().int(),
  cancel: cancelStateSchema.optional(),
  options: batchOptionsSchema,
  created_at: z.string(),
  deadline_at: z.string(),
  forwards_pending: z.number().int(),
  forwards_failed: z.number().int(),
});

export const batchOutcomeSchema = z.object({
  id: z.string(),
  batch_id: z.string().optional(),
  status: terminalSchema,
  code: z.string().optional(),
  reason: z.string().optional(),
  counts: countsSchema.optional(),
  source: sourceSchema,
  events: z.array(recordedEventSchema),
  created_at: z.string(),
  finished_at: z.string(),
});

export const runningBatchSchema = batchViewSchema
  .extend({ state: z.literal('running') })
  .meta({ id: 'RunningBatch', description: 'A batch still being followed: its live state (status query).' });
export const closedBatchSchema = batchOutcomeSchema
  .extend({ state: z.literal('closed') })
  .meta({ id: 'ClosedBatch', description: 'A finished batch: the workflow result.' });
export const unobservedBatchSchema = z
  .object({
    id: z.string(),
    state: z.literal('no_worker'),
    status: z.string(),
    batch_id: z.string().optional(),
    created_at: z.string(),
    message: z.string(),
  })
  .meta({
    id: 'UnobservedBatch',
    description:
      'A running batch whose worker did not answer in time: the last status it published (search attributes).',
  });
export const batchDetailsSchema = z
  .discriminatedUnion('state', [runningBatchSchema, closedBatchSchema, unobservedBatchSchema])
  .meta({ id: 'BatchDetails' });

export const batchLinksSchema = z.object({
  self: z.string().meta({ description: 'This batch in the HTTP API.' }),
  temporal_ui: z.string().meta({ description: 'The workflow in the Temporal Web UI.' }),
});
export const batchAcceptedSchema = z
  .object({
    id: z.string().meta({ description: 'The workflow id: `batch-<Idempotency-Key>` or `batch-<uuid>`.' }),
    status: z.string().meta({ description: 'BlandBatchStatus: `creating` for a new batch.' }),
    links: batchLinksSchema,
  })
  .meta({ id: 'BatchAccepted' });

export const batchListItemSchema = z
  .object({
    id: z.string(),
    status: z.string().nullable(),
    batch_id: z.string().nullable(),
    workflow_status: z.string().meta({ description: 'Temporal execution status, e.g. RUNNING, COMPLETED.' }),
    started_at: z.string(),
    closed_at: z.string().nullable(),
  })
  .meta({ id: 'BatchListItem' });
export const batchPageSchema = z
  .object({
    items: z.array(batchListItemSchema),
    next_cursor: z.string().nullable().meta({ description: 'Pass as `cursor` for the next page; null at the end.' }),
  })
  .meta({ id: 'BatchPage' });

export const cancelAcceptedSchema = z
  .object({ id: z.string(), status: z.literal('cancelling') })
  .meta({ id: 'CancelAccepted' });

export const webhookReplySchema = z
  .union([
    z.object({ accepted: z.literal(true) }),
    z.object({ accepted: z.literal(false), reason: z.literal('batch_closed') }),
  ])
  .meta({ id: 'WebhookReply', description: '`accepted: false` when the batch had already finished.' });

export const healthSchema = z.object({ status: z.enum(['ok', 'unavailable']) }).meta({ id: 'Health' });

// --- Compile-time checks: these schemas describe exactly what the code returns -------------------

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const checks: [
  Same<z.output<typeof countsSchema>, Counts>,
  Same<z.output<typeof progressSchema>, Progress>,
  Same<z.output<typeof finalSchema>, Final>,
  Same<z.output<typeof recordedEventSchema>, RecordedEvent>,
  Same<z.output<typeof cancelStateSchema>, CancelState>,
  Same<z.output<typeof batchViewSchema>, BatchView>,
  Same<z.output<typeof batchOutcomeSchema>, BatchOutcome>,
  Same<z.output<typeof batchListItemSchema>, BatchListItem>,
  Same<z.output<typeof unobservedBatchSchema>, UnobservedBatch>,
  Same<z.output<typeof batchPageSchema>, BatchPage>,
  Same<z.output<typeof webhookReplySchema>, DeliveryResult>,
] = [true, true, true, true, true, true, true, true, true, true, true];
void checks;

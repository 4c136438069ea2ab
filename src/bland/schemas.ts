import { z } from 'zod';
import { parseStartTime, START_TIME } from './time';

/**
 * Bland's batch API, as zod schemas: the one source of truth for request validation, TypeScript
 * types and the OpenAPI document. Objects are loose on purpose: Bland adds fields often, and a
 * field we do not know must reach Bland untouched instead of being dropped or rejected here.
 */

/** Key in `global.metadata` carrying our workflow id: how a retried create finds the batch it made. */
export const WORKFLOW_MARKER_KEY = 'orchestrator_workflow_id';

export const E164 = /^\+[1-9]\d{6,14}$/;
const e164 = z
  .string({ error: 'expected a phone number string in E.164 form, e.g. +14155550123' })
  .regex(E164, 'expected an E.164 phone number: "+" then 7 to 15 digits, e.g. +14155550123');

const httpUrl = z.url({
  protocol: /^https?$/,
  error: 'expected an http:// or https:// URL',
});

const nonEmpty = (what: string) =>
  z.string({ error: `expected ${what} as a string` }).min(1, `expected a non-empty ${what}`);

/** Fields of Bland's `/v1/calls` schema that a batch entry or `global` may carry. */
const callFields = {
  task: nonEmpty('task (the prompt)').optional(),
  pathway_id: nonEmpty('pathway id').optional(),
  pathway_version: z.union([z.number().int().nonnegative(), z.string().min(1)]).optional(),
  persona_id: nonEmpty('persona id').optional(),
  voice: nonEmpty('voice').optional(),
  first_sentence: z.string().optional(),
  model: nonEmpty('model').optional(),
  language: nonEmpty('language').optional(),
  wait_for_greeting: z.boolean({ error: 'expected true or false' }).optional(),
  temperature: z.number({ error: 'expected a number from 0 to 1' }).min(0).max(1).optional(),
  interruption_threshold: z.number({ error: 'expected a number of milliseconds' }).nonnegative().optional(),
  from: e164.optional(),
  timezone: nonEmpty('IANA timezone name').optional(),
  start_time: z
    .string({ error: 'expected a start time string' })
    .regex(
      START_TIME,
      'expected "YYYY-MM-DD HH:MM:SS" with an optional " -HH:MM" offset, e.g. "2026-12-01 09:30:00 -05:00"',
    )
    .refine((s) => parseStartTime(s) !== undefined, 'expected a real calendar date and time')
    .optional(),
  transfer_phone_number: e164.optional(),
  transfer_list: z.record(z.string(), z.string()).optional(),
  max_duration: z
    .number({ error: 'expected a number of minutes, at least 1' })
    .min(1, 'expected at least 1 minute')
    .optional(),
  record: z.boolean({ error: 'expected true or false' }).optional(),
  voicemail: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
  retry: z.record(z.string(), z.unknown()).optional(),
  request_data: z.record(z.string(), z.unknown()).optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
  webhook: httpUrl.optional(),
  webhook_events: z.array(z.string()).optional(),
  tools: z.array(z.unknown()).optional(),
  dynamic_data: z.union([z.array(z.unknown()), z.record(z.string(), z.unknown())]).optional(),
  keywords: z.array(z.string()).optional(),
  summary_prompt: z.string().optional(),
  dispositions: z.array(z.string()).optional(),
  b_cid: z.uuid('expected a UUID (UUIDv7) call id').optional(),
};

export const callObjectSchema = z
  .looseObject({ phone_number: e164, ...callFields })
  .meta({ id: 'CallObject', description: 'One call of the batch; overrides `global` field by field.' });

export const globalSchema = z
  .looseObject({
    ...callFields,
    phone_number: z.never({ error: 'phone_number is not allowed in global: put it in each call object' }).optional(),
  })
  .refine((g) => g.task !== undefined || g.pathway_id !== undefined, {
    message: 'global must include "task" or "pathway_id"',
  })
  .meta({ id: 'GlobalCallProperties', description: 'Call properties applied to every entry.' });

export const createBatchRequestSchema = z
  .looseObject({
    call_objects: z
      .array(callObjectSchema, { error: 'expected an array of call objects' })
      .min(1, 'expected at least one call object'),
    global: globalSchema,
    description: z.string().max(60, 'expected at most 60 characters').default('Untitled Batch'),
    status_webhook: httpUrl.optional(),
  })
  .meta({ id: 'CreateBatchRequest', description: "Bland's Create Batch body (POST /v2/batches/create)." });

export type CallObject = z.infer<typeof callObjectSchema>;
export type CreateBatchRequest = z.infer<typeof createBatchRequestSchema>;
export type CreateBatchRequestInput = z.input<typeof createBatchRequestSchema>;

const count = z.number().int().nonnegative();

/** A status webhook body. Unknown `status` strings are kept: Bland may add phases. */
export const statusEventSchema = z
  .looseObject({
    batch_id: nonEmpty('batch_id'),
    status: nonEmpty('status'),
    timestamp: z
      .string({ error: 'expected an ISO 8601 timestamp string' })
      .refine((s) => /^\d{4}-\d{2}-\d{2}/.test(s) && !Number.isNaN(Date.parse(s)), 'expected an ISO 8601 timestamp'),
    message: z.string().optional(),
    calls_total: count.optional(),
    calls_successful: count.optional(),
    calls_failed: count.optional(),
    code: z.string().optional(),
    reason: z.string().optional(),
  })
  .meta({ id: 'BlandStatusEvent', description: 'Body of a Bland batch status webhook.' });
export type StatusEvent = z.infer<typeof statusEventSchema>;

// --- Bland's replies -------------------------------------------------------------------------

export const createBatchReplySchema = z.object({
  data: z.object({ batch_id: z.string().min(1) }),
  errors: z.null().optional(),
});

/** v2 envelope `{data:null, errors:[{error,message}]}`, 401 `{error,message}`, v1 `{status:"error",message,errors}`. */
export const blandErrorReplySchema = z.union([
  z.looseObject({
    data: z.null().optional(),
    errors: z.array(z.looseObject({ error: z.string().optional(), message: z.string().optional() })).min(1),
  }),
  z.looseObject({ status: z.literal('error'), message: z.string(), errors: z.unknown().optional() }),
  z.looseObject({ error: z.string(), message: z.string().optional() }),
]);
export type BlandErrorReply = z.infer<typeof blandErrorReplySchema>;

export const batchRecordSchema = z.looseObject({
  id: z.string(),
  user_id: z.string().optional(),
  /** JSON string of `global`: where our workflow marker can be read back. */
  base_prompt: z.string().nullish(),
  created_at: z.string().optional(),
  call_objects: z.array(z.unknown()).optional(),
  description: z.string().nullish(),
});
export type BatchRecord = z.infer<typeof batchRecordSchema>;

export const getBatchReplySchema = z.object({ data: batchRecordSchema });
export const listBatchesReplySchema = z.object({ data: z.array(batchRecordSchema) });

export const batchLogEntrySchema = z.looseObject({
  id: z.union([z.string(), z.number()]),
  batch_id: z.string(),
  org_id: z.string().optional(),
  event_type: z.string(),
  timestamp: z.string(),
  payload: z.record(z.string(), z.unknown()).nullish(),
});
export type BatchLogEntry = z.infer<typeof batchLogEntrySchema>;
export const batchLogsReplySchema = z.object({ data: z.array(batchLogEntrySchema) });

// --- Helpers over the schemas (pure) ---------------------------------------------------------

/** Turns zod issues into `{path, message}` pairs with paths like `call_objects[7].phone_number`. */
export function describeIssues(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message }));
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out || '(body)';
}

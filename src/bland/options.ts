import { z } from 'zod';
import { createBatchRequestSchema } from './schemas';
import { parseDuration } from './time';

/**
 * How the orchestrator follows one batch: the `options` a caller may add to Bland's Create Batch
 * body. Durations are strings such as "30s", "15m", "48h", "1h30m" (units ms, s, m, h, d).
 */

const duration = (min: string, max: string) => {
  const minMs = parseDuration(min) ?? 0;
  const maxMs = parseDuration(max) ?? Number.MAX_SAFE_INTEGER;
  return z
    .string({ error: 'expected a duration string such as "30s", "15m" or "48h"' })
    .refine((s) => parseDuration(s) !== undefined, 'expected a duration such as "30s", "15m", "48h" or "1h30m"')
    .refine((s) => (parseDuration(s) ?? 0) >= minMs, `expected at least ${min}`)
    .refine((s) => (parseDuration(s) ?? 0) <= maxMs, `expected at most ${max}`);
};

export const DEFAULT_OPTIONS = {
  deadline: '7d',
  quiet_timeout: '10m',
  scheduled_grace: '1h',
  cancel_grace: '30s',
  on_deadline: 'stop',
} as const;

export const batchOptionsSchema = z
  .strictObject({
    deadline: duration('1s', '365d').default(DEFAULT_OPTIONS.deadline),
    quiet_timeout: duration('100ms', '7d').default(DEFAULT_OPTIONS.quiet_timeout),
    scheduled_grace: duration('0s', '30d').default(DEFAULT_OPTIONS.scheduled_grace),
    cancel_grace: duration('0s', '1h').default(DEFAULT_OPTIONS.cancel_grace),
    on_deadline: z.enum(['stop', 'leave']).default(DEFAULT_OPTIONS.on_deadline),
  })
  .meta({
    id: 'BatchOptions',
    description:
      "How the orchestrator follows the batch. deadline: overall limit from submission; quiet_timeout: how long a phase may stay silent before Bland's logs are read; scheduled_grace: extra wait after the latest start_time; cancel_grace: wait for Bland's final event after a stop; on_deadline: stop the batch at Bland or leave it running.",
  });

export type BatchOptions = z.infer<typeof batchOptionsSchema>;

/** What a caller submits: Bland's Create Batch body plus our `options`. */
export const batchSubmissionSchema = createBatchRequestSchema
  .extend({ options: batchOptionsSchema.default(batchOptionsSchema.parse({})) })
  .meta({
    id: 'BatchSubmission',
    description:
      "Bland's Create Batch body plus `options`. `status_webhook`, when given, is the caller's own URL: every accepted event is forwarded there, signed with X-Signature.",
  });
export type BatchSubmission = z.infer<typeof batchSubmissionSchema>;

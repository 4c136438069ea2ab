/** Bland's batch statuses as documented; unknown ones may still arrive and are kept, not applied. */
export const BATCH_STATUSES = [
  'validating',
  'dispatching',
  'in_progress',
  'in_progress_chunked',
  'waiting_for_scheduled_calls',
  'completed',
  'failed',
  'completed_partial',
] as const;
export type KnownBatchStatus = (typeof BATCH_STATUSES)[number];

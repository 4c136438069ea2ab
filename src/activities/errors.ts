import { ApplicationFailure } from '@temporalio/activity';

/** What activities need to know of a failed call to Bland (see BlandApiError in bland/client.ts). */
interface ClassifiedError {
  message: string;
  kind?: string;
  toJSON?: () => unknown;
  retryable: boolean;
  retryAfterMs?: number;
  status?: number;
}

function isClassified(err: unknown): err is ClassifiedError & Error {
  return err instanceof Error && typeof (err as Partial<ClassifiedError>).retryable === 'boolean';
}

/** Error types the workflow's retry policies and failure handling key on. */
export const BLAND_REJECTED = 'BlandRejected';
export const BLAND_UNAVAILABLE = 'BlandUnavailable';

/**
 * Turns a Bland client error into a Temporal failure: 4xx rejections are non-retryable, the rest
 * retry, honouring Bland's Retry-After through `nextRetryDelay`. The client already keeps secrets
 * out of its messages; nothing else from the request is copied here.
 */
export function toFailure(err: unknown): unknown {
  if (!isClassified(err)) return err;
  return ApplicationFailure.create({
    type: err.retryable ? BLAND_UNAVAILABLE : BLAND_REJECTED,
    message: err.message,
    nonRetryable: !err.retryable,
    nextRetryDelay: err.retryable ? retryDelay(err) : undefined,
    // The client's own JSON form (kind, status, request id; never a key) shows in the Temporal UI.
    details: [err.toJSON ? err.toJSON() : { status: err.status }],
  });
}

/** A timed-out request may still be running at Bland: give it time to land before looking for it. */
const AFTER_TIMEOUT_MS = 10_000;

function retryDelay(err: ClassifiedError): number | undefined {
  if (err.kind === 'timeout') return Math.max(err.retryAfterMs ?? 0, AFTER_TIMEOUT_MS);
  return err.retryAfterMs;
}

export async function translated<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw toFailure(err);
  }
}

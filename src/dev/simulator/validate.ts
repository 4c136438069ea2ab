import { E164, WORKFLOW_MARKER_KEY } from '../../bland/schemas';
import { parseStartTime } from '../../bland/time';

/**
 * What Bland checks synchronously when a batch is created (a 400 in the v2 error envelope), and
 * what it only finds later: an entry without a phone number fails the batch asynchronously
 * (`source_invalid`), invalid or blank numbers are skipped and count as failed calls, and, in the
 * simulator only, a number ending in "0000" is a call that fails.
 */

export type CallOutcome = 'success' | 'failure' | 'skipped';

export interface PlannedCall {
  index: number;
  phone?: string;
  outcome: CallOutcome;
  /** Epoch ms of a start_time in the future, if any. */
  startAt?: number;
}

export interface CreatePlan {
  body: Record<string, unknown>;
  global: Record<string, unknown>;
  description: string;
  statusWebhook?: string;
  marker?: string;
  calls: PlannedCall[];
  /** Index of the first entry without a phone number: the batch fails with source_invalid. */
  missingPhoneIndex?: number;
  /** Latest future start_time of the batch (epoch ms). */
  latestStartAt?: number;
}

export type Validation = { ok: true; plan: CreatePlan } | { ok: false; message: string };

export const FAILING_SUFFIX = '0000';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const nonEmptyString = (v: unknown): v is string => typeof v === 'string' && v.trim().length > 0;

/** The workflow marker in `global.metadata`, read from any body, valid or not. */
export function markerOf(body: unknown): string | undefined {
  if (!isObject(body) || !isObject(body.global) || !isObject(body.global.metadata)) return undefined;
  const marker = body.global.metadata[WORKFLOW_MARKER_KEY];
  return typeof marker === 'string' ? marker : undefined;
}

export function validateCreate(body: unknown, now: number): Validation {
  if (!isObject(body)) return { ok: false, message: 'Request body must be a JSON object.' };
  const { global, call_objects: entries, description, status_webhook: webhook } = body;
  if (global === undefined) return { ok: false, message: 'global is required.' };
  if (!isObject(global)) return { ok: false, message: 'global must be an object.' };
  if ('phone_number' in global) return { ok: false, message: 'phone_number is not allowed in global.' };
  if (!nonEmptyString(global.task) && !nonEmptyString(global.pathway_id)) {
    return { ok: false, message: 'global must include at least one of task or pathway_id.' };
  }
  if (description !== undefined && typeof description !== 'string') {
    return { ok: false, message: 'description must be a string.' };
  }
  if (typeof description === 'string' && description.length > 60) {
    return { ok: false, message: 'description must be at most 60 characters.' };
  }
  if (webhook !== undefined && (typeof webhook !== 'string' || !/^https?:\/\/\S+$/.test(webhook))) {
    return { ok: false, message: 'status_webhook must be a valid URL.' };
  }
  if (!Array.isArray(entries)) return { ok: false, message: 'call_objects must be an array.' };
  if (entries.length === 0) return { ok: false, message: 'call_objects must contain at least one call.' };
  const bad = entries.findIndex((entry) => !isObject(entry));
  if (bad >= 0) return { ok: false, message: `call_objects[${bad}] must be an object.` };

  const plan: CreatePlan = {
    body,
    global,
    description: description ?? 'Untitled Batch',
    calls: [],
  };
  if (webhook !== undefined) plan.statusWebhook = webhook;
  const marker = markerOf(body);
  if (marker !== undefined) plan.marker = marker;

  (entries as Record<string, unknown>[]).forEach((entry, index) => {
    const phone = entry.phone_number;
    if (phone === undefined || phone === null) plan.missingPhoneIndex ??= index;
    const call: PlannedCall = { index, outcome: callOutcome(phone) };
    if (typeof phone === 'string') call.phone = phone;
    const rawStart = entry.start_time ?? global.start_time;
    const startAt = typeof rawStart === 'string' ? parseStartTime(rawStart) : undefined;
    if (startAt !== undefined && startAt > now) {
      call.startAt = startAt;
      if (plan.latestStartAt === undefined || startAt > plan.latestStartAt) plan.latestStartAt = startAt;
    }
    plan.calls.push(call);
  });
  return { ok: true, plan };
}

function callOutcome(phone: unknown): CallOutcome {
  if (typeof phone !== 'string' || !E164.test(phone)) return 'skipped';
  return phone.endsWith(FAILING_SUFFIX) ? 'failure' : 'success';
}

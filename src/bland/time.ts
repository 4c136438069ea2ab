import type { BatchOptions } from './options';
import type { CreateBatchRequest } from './schemas';

/**
 * Time in the batch domain, without zod: Bland's `start_time` strings, our duration strings and
 * the timer settings they become. Pure, so the workflow bundle can use it.
 */

/** `YYYY-MM-DD HH:MM:SS` with an optional ` -HH:MM` offset (none = UTC), as Bland documents it. */
export const START_TIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?: ([+-])(\d{2}):(\d{2}))?$/;

/** Epoch milliseconds of a Bland `start_time`, or undefined when it is not a real date. */
export function parseStartTime(value: string): number | undefined {
  const m = START_TIME.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, sign, oh, om] = m;
  const fields = [y, mo, d, h, mi, s].map(Number) as [number, number, number, number, number, number];
  const [year, month, day, hour, minute, second] = fields;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return undefined;
  if (sign && (Number(oh) > 14 || Number(om) > 59)) return undefined;
  const utc = Date.UTC(year, month - 1, day, hour, minute, second);
  if (new Date(utc).getUTCDate() !== day) return undefined; // 2026-02-30 and friends
  const offsetMinutes = sign ? (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om)) : 0;
  return utc - offsetMinutes * 60_000;
}

/** The latest effective `start_time` among the batch's entries (an entry's own beats global's), in epoch ms. */
export function latestStartTime(request: Pick<CreateBatchRequest, 'call_objects' | 'global'>): number | undefined {
  const fallback = (request.global as { start_time?: unknown }).start_time;
  let latest: number | undefined;
  for (const entry of request.call_objects) {
    const raw = (entry as { start_time?: unknown }).start_time ?? fallback;
    const at = typeof raw === 'string' ? parseStartTime(raw) : undefined;
    if (at !== undefined && (latest === undefined || at > latest)) latest = at;
  }
  return latest;
}

const DURATION = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+$/;
const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** Milliseconds of a duration string; undefined when it is not one. */
export function parseDuration(value: string): number | undefined {
  if (!DURATION.test(value)) return undefined;
  let total = 0;
  for (const [, amount, unit] of value.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)) {
    total += Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS];
  }
  return Math.round(total);
}

/** The options as milliseconds, which is what timers need. */
export interface BatchTimings {
  deadlineMs: number;
  quietMs: number;
  scheduledGraceMs: number;
  cancelGraceMs: number;
  onDeadline: 'stop' | 'leave';
}

export function toTimings(options: BatchOptions): BatchTimings {
  const ms = (s: string) => parseDuration(s) ?? 0;
  return {
    deadlineMs: ms(options.deadline),
    quietMs: ms(options.quiet_timeout),
    scheduledGraceMs: ms(options.scheduled_grace),
    cancelGraceMs: ms(options.cancel_grace),
    onDeadline: options.on_deadline,
  };
}

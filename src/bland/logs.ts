import { isTerminalStatus } from './lifecycle';
import type { BatchLogEntry, StatusEvent } from './schemas';

export interface ReconciledEvent {
  key: string;
  event: StatusEvent;
}

/**
 * Turns Bland's batch logs into status events. `lifecycle` entries carry the phase; a `complete`
 * entry carries the counts but not which final status was reached: when no terminal lifecycle
 * entry exists we infer it (no failed call: completed; otherwise completed_partial) and say so.
 */
export function eventsFromLogs(batchId: string, entries: readonly BatchLogEntry[]): ReconciledEvent[] {
  const sorted = [...entries].sort((a, b) => Date.parse(a.timestamp) - Date.parse(b.timestamp));
  const events: ReconciledEvent[] = [];
  let complete: BatchLogEntry | undefined;
  for (const entry of sorted) {
    const payload = entry.payload ?? {};
    if (entry.event_type === 'complete') {
      complete = entry;
      continue;
    }
    if (entry.event_type !== 'lifecycle' || typeof payload.state_change !== 'string') continue;
    const event: StatusEvent = { batch_id: batchId, status: payload.state_change, timestamp: entry.timestamp };
    if (typeof payload.message === 'string') event.message = payload.message;
    for (const field of ['code', 'reason'] as const) {
      if (typeof payload[field] === 'string') event[field] = payload[field] as string;
    }
    events.push({ key: `log:${entry.id}`, event });
  }
  if (complete) {
    const payload = complete.payload ?? {};
    const counts = {
      calls_total: numberOr(payload.calls_total),
      calls_successful: numberOr(payload.calls_successful),
      calls_failed: numberOr(payload.calls_failed),
    };
    const terminal = events.find((e) => isTerminalStatus(e.event.status));
    if (terminal) Object.assign(terminal.event, counts);
    else {
      events.push({
        key: `log:${complete.id}:final`,
        event: {
          batch_id: batchId,
          status: (counts.calls_failed ?? 0) > 0 ? 'completed_partial' : 'completed',
          timestamp: complete.timestamp,
          reason: "final status inferred from the counts in Bland's logs",
          ...counts,
        },
      });
    }
  }
  return events;
}

function numberOr(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.floor(value) : undefined;
}

import { initialState, reduce, setBatchId } from '../src/bland/lifecycle';
import { eventsFromLogs } from '../src/bland/logs';
import type { BatchLogEntry } from '../src/bland/schemas';
import type { Benchmark } from './harness';

/**
 * Reconciling a long chunked batch: eventsFromLogs + reduce over every log entry, against a JSON
 * round trip of the same entries (what reading them from Bland and handing them to the workflow
 * costs anyway). The reducer keeps its dedup keys in an array, so this shows when that starts to hurt.
 */

const ENTRIES = 2_000;

function chunkedLogs(count: number): BatchLogEntry[] {
  const start = Date.parse('2026-11-30T10:00:00Z');
  const logs: BatchLogEntry[] = [];
  const phases = ['validating', 'dispatching'];
  for (let i = 0; i < count; i++) {
    const state = phases[i] ?? (i === count - 2 ? 'completed' : 'in_progress_chunked');
    logs.push({
      id: i + 1,
      batch_id: 'b-bench',
      org_id: 'org',
      event_type: i === count - 1 ? 'complete' : 'lifecycle',
      timestamp: new Date(start + i * 1000).toISOString(),
      payload:
        i === count - 1
          ? { calls_total: 100_000, calls_successful: 99_000, calls_failed: 1_000 }
          : {
              message: `Requested: 100000. Validated: 100000. Dispatched: ${i * 50}. CPS: 12.50.`,
              state_change: state,
            },
    });
  }
  return logs;
}

const benchmark: Benchmark = {
  name: 'reconcile + reduce',
  description: `eventsFromLogs + reduce over ${ENTRIES.toLocaleString('en')} log entries vs. a JSON round trip of them`,
  runs: 11,
  async setup() {
    const logs = chunkedLogs(ENTRIES);
    const receivedAt = '2026-11-30T12:00:00.000Z';
    return {
      baseline: { name: 'JSON.parse(JSON.stringify(logs))', fn: () => JSON.parse(JSON.stringify(logs)) },
      subject: {
        name: 'eventsFromLogs + reduce (each entry)',
        fn: () => {
          let state = setBatchId(initialState(), 'b-bench');
          for (const { key, event } of eventsFromLogs('b-bench', logs)) {
            state = reduce(state, { event, key, source: 'reconciled', received_at: receivedAt });
          }
          if (state.final?.status !== 'completed') throw new Error('benchmark batch must complete');
        },
      },
    };
  },
};
export default benchmark;

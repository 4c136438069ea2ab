import { describe, expect, it } from 'vitest';
import { batchOptionsSchema } from '../../src/bland/options';
import { operatorDetails } from '../../src/workflows/details';
import type { BatchView } from '../../src/workflows/messages';

const base: BatchView = {
  id: 'batch-1',
  status: 'in_progress_chunked',
  batch_id: 'B-1',
  progress: { requested: 100, dispatched: 40, cps: 12.5 },
  last_message: 'Requested: 100. Dispatched: 40. CPS: 12.50.',
  events: [],
  events_dropped: 0,
  duplicates: 2,
  options: batchOptionsSchema.parse({}),
  created_at: '2026-11-30T10:00:00.000Z',
  deadline_at: '2026-12-07T10:00:00.000Z',
  forwards_pending: 1,
  forwards_failed: 0,
};

describe('operatorDetails (Temporal UI current details)', () => {
  it('shows a running batch: phase, Bland id, progress, last message, deadline, forwards', () => {
    expect(operatorDetails(base).split('\n\n')).toEqual([
      '**in_progress_chunked** · Bland batch `B-1`',
      'Progress: requested 100, dispatched 40, 12.5 calls/s',
      'Bland says: Requested: 100. Dispatched: 40. CPS: 12.50.',
      'Deadline: 2026-12-07T10:00:00.000Z (stop at Bland)',
      'Events: 0 recorded, 0 not applied, 2 duplicates dropped',
      'Caller webhook: 1 pending, 0 given up',
    ]);
  });

  it('shows how a batch ended, and why', () => {
    const done: BatchView = {
      ...base,
      status: 'completed_partial',
      final: {
        status: 'completed_partial',
        code: 'orchestrator_cancelled',
        reason: 'cancelled: wrong list',
        source: 'orchestrator',
        at: 'x',
      },
      counts: { total: 100, successful: 40, failed: 60 },
      cancel: { requested_at: '2026-11-30T11:00:00.000Z', reason: 'wrong list', handled: true },
      forwards_pending: 0,
    };
    const text = operatorDetails(done);
    expect(text).toContain('Final (orchestrator) — orchestrator_cancelled: cancelled: wrong list');
    expect(text).toContain('Calls: 40 successful, 60 failed of 100');
    expect(text).toContain('Cancel requested at 2026-11-30T11:00:00.000Z (wrong list)');
    expect(text).not.toContain('Deadline');
    expect(text).not.toContain('Caller webhook');
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eventKey } from '../../src/bland/event-key';
import {
  type BatchState,
  finish,
  type IncomingEvent,
  initialState,
  isTerminal,
  MAX_EVENTS,
  noteQuietReconciliation,
  parseProgress,
  quietTimeoutMs,
  reduce,
  setBatchId,
} from '../../src/bland/lifecycle';
import { eventsFromLogs } from '../../src/bland/logs';
import type { StatusEvent } from '../../src/bland/schemas';
import { toTimings } from '../../src/bland/time';

const BATCH = 'b-1';
let clock = 0;
function ev(status: string, extra: Partial<StatusEvent> = {}): StatusEvent {
  clock += 1;
  return { batch_id: BATCH, status, timestamp: new Date(Date.UTC(2026, 10, 30, 12, 0, clock)).toISOString(), ...extra };
}
function incoming(event: StatusEvent, source: IncomingEvent['source'] = 'webhook'): IncomingEvent {
  return { event, key: eventKey(event), source, received_at: '2026-11-30T12:00:00.000Z' };
}
function run(events: StatusEvent[], state: BatchState = setBatchId(initialState(), BATCH)): BatchState {
  return events.reduce((s, e) => reduce(s, incoming(e)), state);
}

const completed = ev('completed', { calls_total: 3, calls_successful: 2, calls_failed: 1 });
const happy = [ev('validating'), ev('dispatching'), ev('in_progress'), completed];

describe('reduce', () => {
  it('follows the documented order to a final status with counts', () => {
    const state = run(happy);
    expect(state.phase).toBe('completed');
    expect(state.final).toMatchObject({ status: 'completed', source: 'webhook' });
    expect(state.counts).toEqual({ total: 3, successful: 2, failed: 1 });
    expect(state.events.map((e) => [e.status, e.applied])).toEqual([
      ['validating', true],
      ['dispatching', true],
      ['in_progress', true],
      ['completed', true],
    ]);
  });

  it.each([
    [
      'duplicate is dropped and counted',
      [...happy.slice(0, 2), happy[1]!],
      'dispatching',
      { duplicates: 1, recorded: 2 },
    ],
    [
      'regression is recorded, not applied',
      [ev('validating'), ev('in_progress'), ev('dispatching')],
      'in_progress',
      { note: 'regression' },
    ],
    [
      'unknown status is kept, not applied',
      [ev('validating'), ev('teleporting')],
      'validating',
      { note: 'unknown_status' },
    ],
    [
      'event after terminal is recorded, not applied',
      [...happy, ev('in_progress')],
      'completed',
      { note: 'after_terminal' },
    ],
    [
      'another batch is rejected',
      [ev('validating'), { ...ev('dispatching'), batch_id: 'other' }],
      'validating',
      { note: 'foreign_batch' },
    ],
    [
      'same status, same message changes nothing',
      [ev('in_progress', { message: 'm' }), ev('in_progress', { message: 'm' })],
      'in_progress',
      { note: 'no_change' },
    ],
    [
      'scheduled phase after in_progress',
      [ev('in_progress'), ev('waiting_for_scheduled_calls')],
      'waiting_for_scheduled_calls',
      {},
    ],
    ['chunked and plain in_progress share a rank', [ev('in_progress_chunked'), ev('in_progress')], 'in_progress', {}],
  ] as const)('%s', (_name, events, phase, expectation) => {
    const state = run([...events]);
    expect(state.phase).toBe(phase);
    const last = state.events.at(-1)!;
    if ('note' in expectation) {
      expect(last.note).toBe(expectation.note);
      expect(last.applied).toBe(false);
    }
    if ('duplicates' in expectation) {
      expect(state.duplicates).toBe(expectation.duplicates);
      expect(state.events).toHaveLength(expectation.recorded);
    }
  });

  it('treats the first terminal event as final', () => {
    const failed = ev('failed', { code: 'source_invalid', reason: 'Entry #7 did not have a phone number.' });
    const state = run([ev('validating'), failed, completed]);
    expect(state.final).toMatchObject({
      status: 'failed',
      code: 'source_invalid',
      reason: 'Entry #7 did not have a phone number.',
    });
    expect(state.events.at(-1)).toMatchObject({ status: 'completed', applied: false, note: 'after_terminal' });
  });

  it('holds events that arrive before the batch id, then applies them', () => {
    let state = initialState();
    state = reduce(state, incoming(ev('validating')));
    state = reduce(state, incoming({ ...ev('dispatching'), batch_id: 'someone-else' }));
    expect(state.phase).toBe('creating');
    expect(state.pending).toHaveLength(2);
    state = setBatchId(state, BATCH);
    expect(state.phase).toBe('validating');
    expect(state.pending).toHaveLength(0);
    expect(state.events.map((e) => e.note)).toEqual([undefined, 'foreign_batch']);
  });

  it('re-arms on chunk progress and parses it', () => {
    const a = run([
      ev('in_progress_chunked', { message: 'Requested: 100. Validated: 100. Dispatched: 50. CPS: 12.50.' }),
    ]);
    const b = reduce(
      a,
      incoming(ev('in_progress_chunked', { message: 'Requested: 100. Validated: 100. Dispatched: 100. CPS: 11.' })),
    );
    expect(b.version).toBeGreaterThan(a.version);
    expect(b.progress).toEqual({ requested: 100, validated: 100, dispatched: 100, cps: 11 });
  });

  it('ignores progress that does not move forward, as when the logs repeat the chunk webhooks', () => {
    const chunks = [5, 10, 15].map((n) =>
      ev('in_progress_chunked', { message: `Requested: 15. Dispatched: ${n}. CPS: 2.` }),
    );
    const fromWebhooks = run(chunks);
    // Reconciliation reads the same chunks back under log ids (new keys), in the original order.
    const replayed = chunks.reduce(
      (state, chunk, i) =>
        reduce(state, {
          event: { ...chunk, message: `${chunk.message} ` },
          key: `log:${i}`,
          source: 'reconciled',
          received_at: 'r',
        }),
      fromWebhooks,
    );
    expect(replayed.progress).toEqual({ requested: 15, dispatched: 15, cps: 2 });
    expect(replayed.version).toBe(fromWebhooks.version);
    expect(replayed.events.slice(3).map((e) => [e.applied, e.note])).toEqual([
      [false, 'no_change'],
      [false, 'no_change'],
      [false, 'no_change'],
    ]);
    const late = reduce(fromWebhooks, incoming(ev('in_progress_chunked', { message: 'Dispatched: 7.' })));
    expect(late.events.at(-1)?.note).toBe('no_change');
    expect(late.progress?.dispatched).toBe(15);
  });

  it('treats a missing and an empty message alike', () => {
    const state = run([ev('in_progress')]);
    expect(reduce(state, incoming(ev('in_progress', { message: '' }))).events.at(-1)?.note).toBe('no_change');
  });

  it('bounds the recorded events and keeps the first ones', () => {
    const many = Array.from({ length: MAX_EVENTS + 25 }, (_, i) =>
      ev('in_progress_chunked', { message: `Dispatched: ${i}` }),
    );
    const state = run([ev('validating'), ...many]);
    expect(state.events).toHaveLength(MAX_EVENTS);
    expect(state.events_dropped).toBe(26);
    expect(state.events[0]!.status).toBe('validating');
    expect(state.events.at(-1)!.message).toBe(`Dispatched: ${MAX_EVENTS + 24}`);
  });

  it('lets the orchestrator end a batch once, and never over a Bland final', () => {
    const ended = finish(run([ev('validating')]), {
      status: 'completed_partial',
      code: 'orchestrator_deadline',
      at: 'now',
    });
    expect(ended.final).toMatchObject({ source: 'orchestrator', code: 'orchestrator_deadline' });
    expect(isTerminal(ended)).toBe(true);
    const done = run(happy);
    expect(finish(done, { status: 'failed', code: 'x', at: 'now' }).final?.status).toBe('completed');
  });
});

describe('order independence (property)', () => {
  const realistic = [
    ev('validating'),
    ev('dispatching'),
    ev('in_progress_chunked', { message: 'Requested: 120. Validated: 120. Dispatched: 50. CPS: 10.00.' }),
    ev('in_progress_chunked', { message: 'Requested: 120. Validated: 120. Dispatched: 120. CPS: 12.00.' }),
    ev('waiting_for_scheduled_calls'),
    ev('completed_partial', {
      code: 'batch_early_exit',
      reason: 'Condition not met',
      calls_total: 120,
      calls_successful: 100,
      calls_failed: 20,
    }),
  ];
  const expected = run(realistic);

  it('reaches the same final status, counts and seen events in every order, with duplicates', () => {
    fc.assert(
      fc.property(
        fc.shuffledSubarray(realistic, { minLength: realistic.length, maxLength: realistic.length }),
        fc.array(fc.nat(realistic.length - 1), { maxLength: 6 }),
        (order, dupIdx) => {
          const withDups = [...order];
          for (const i of dupIdx) withDups.splice(i % (withDups.length + 1), 0, realistic[i]!);
          const state = run(withDups);
          expect(state.final).toEqual(expected.final);
          expect(state.counts).toEqual(expected.counts);
          expect(new Set(state.seen)).toEqual(new Set(expected.seen));
          expect(state.events).toHaveLength(realistic.length);
          expect(state.duplicates).toBe(dupIdx.length);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('every one of the 720 orders of the realistic sequence ends completed_partial with its counts', () => {
    const permutations = (xs: StatusEvent[]): StatusEvent[][] =>
      xs.length <= 1
        ? [xs]
        : xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
    const all = permutations(realistic);
    expect(all).toHaveLength(720);
    for (const order of all) {
      const state = run([...order, order[0]!]);
      expect(state.final?.status).toBe('completed_partial');
      expect(state.counts).toEqual({ total: 120, successful: 100, failed: 20 });
      expect(state.duplicates).toBe(1);
    }
  });
});

describe('parseProgress', () => {
  it.each([
    [
      'Requested: 100. Validated: 100. Dispatched: 100. CPS: 12.50.',
      { requested: 100, validated: 100, dispatched: 100, cps: 12.5 },
    ],
    ['Dispatched: 1,250. Requested: 2,000.', { dispatched: 1250, requested: 2000 }],
    ['requested=10 cps=3', { requested: 10, cps: 3 }],
    ['Validated: 7', { validated: 7 }],
    ['Batch is being processed', undefined],
    ['', undefined],
  ])('%j', (message, expected) => {
    expect(parseProgress(message)).toEqual(expected);
  });
});

describe('quietTimeoutMs', () => {
  const timings = toTimings({
    deadline: '1h',
    quiet_timeout: '10s',
    scheduled_grace: '30s',
    cancel_grace: '5s',
    on_deadline: 'stop',
  });
  const at = (events: StatusEvent[]) => run(events);

  it('gives long phases more room and backs off after fruitless reconciliations', () => {
    expect(quietTimeoutMs(at([ev('validating')]), timings, 0)).toBe(10_000);
    expect(quietTimeoutMs(at([ev('in_progress')]), timings, 0)).toBe(20_000);
    let quiet = at([ev('dispatching')]);
    for (let i = 0; i < 5; i++) quiet = noteQuietReconciliation(quiet);
    expect(quietTimeoutMs(quiet, timings, 0)).toBe(80_000);
  });

  it('waits for the latest start_time plus grace in the scheduled phase', () => {
    const state = at([ev('waiting_for_scheduled_calls')]);
    expect(quietTimeoutMs(state, timings, 1_000, 3_600_000)).toBe(3_600_000 + 30_000 - 1_000);
    expect(quietTimeoutMs(state, timings, 100_000, 0)).toBe(10_000);
  });
});

describe('eventsFromLogs', () => {
  const log = (id: number, event_type: string, payload: Record<string, unknown>) => ({
    id,
    batch_id: BATCH,
    event_type,
    timestamp: new Date(Date.UTC(2026, 10, 30, 12, 0, id)).toISOString(),
    payload,
  });

  it('turns lifecycle entries into events and puts the counts on the final one', () => {
    const events = eventsFromLogs(BATCH, [
      log(3, 'complete', { calls_total: 2, calls_successful: 2, calls_failed: 0 }),
      log(1, 'lifecycle', { message: 'Validating', state_change: 'validating' }),
      log(2, 'lifecycle', { message: 'Done', state_change: 'completed' }),
    ]);
    expect(events.map((e) => [e.key, e.event.status])).toEqual([
      ['log:1', 'validating'],
      ['log:2', 'completed'],
    ]);
    expect(events[1]!.event).toMatchObject({ calls_total: 2, calls_successful: 2, calls_failed: 0 });
  });

  it('infers the final status from a lone complete entry, and says so', () => {
    const events = eventsFromLogs(BATCH, [
      log(4, 'complete', { calls_total: 5, calls_successful: 3, calls_failed: 2 }),
    ]);
    expect(events).toHaveLength(1);
    expect(events[0]!.event).toMatchObject({ status: 'completed_partial', calls_failed: 2 });
    expect(events[0]!.event.reason).toMatch(/inferred/);
  });

  it('ignores entries it does not understand', () => {
    expect(eventsFromLogs(BATCH, [log(1, 'call', { foo: 1 }), log(2, 'lifecycle', { message: 'x' })])).toEqual([]);
  });
});

describe('eventKey', () => {
  it('is stable across key order and differs by content', () => {
    const a = { batch_id: 'b', status: 'completed', timestamp: 't', calls_total: 1 };
    const b = { calls_total: 1, timestamp: 't', status: 'completed', batch_id: 'b' };
    expect(eventKey(a)).toBe(eventKey(b));
    expect(eventKey({ ...a, calls_total: 2 })).not.toBe(eventKey(a));
    expect(eventKey(a)).toMatch(/^wh:[0-9a-f]{16}$/);
  });
});

import { describe, expect, it } from 'vitest';
import {
  batchLogEntrySchema,
  batchLogsReplySchema,
  batchRecordSchema,
  blandErrorReplySchema,
  callObjectSchema,
  createBatchReplySchema,
  createBatchRequestSchema,
  describeIssues,
  formatPath,
  getBatchReplySchema,
  listBatchesReplySchema,
  statusEventSchema,
} from '../../src/bland/schemas';
import { latestStartTime, parseStartTime } from '../../src/bland/time';

const valid = () => ({
  global: { task: 'Remind about the appointment', voice: 'maya' },
  call_objects: Array.from({ length: 10 }, (_, i) => ({ phone_number: `+1415555010${i}` })),
});

/** `{path: message}` of a failed parse (the first message per path). */
function issuesOf(body: unknown): Record<string, string> {
  const result = createBatchRequestSchema.safeParse(body);
  if (result.success) return {};
  const out: Record<string, string> = {};
  for (const { path, message } of describeIssues(result.error)) out[path] ??= message;
  return out;
}

describe('createBatchRequestSchema', () => {
  it('accepts a documented body and defaults the description', () => {
    const parsed = createBatchRequestSchema.parse({ ...valid(), status_webhook: 'https://example.com/hook' });
    expect(parsed.description).toBe('Untitled Batch');
    expect(parsed.call_objects).toHaveLength(10);
    expect(createBatchRequestSchema.safeParse({ ...valid(), global: { pathway_id: 'pw-1' } }).success).toBe(true);
  });

  it('names the failing entry and field: call_objects[7].phone_number', () => {
    const body = valid();
    body.call_objects[7] = { phone_number: '555-0100' };
    const issues = issuesOf(body);
    expect(Object.keys(issues)).toEqual(['call_objects[7].phone_number']);
    expect(issues['call_objects[7].phone_number']).toMatch(/E\.164/);
  });

  it('reports a missing phone number, a bad type and several entries at once', () => {
    const body = valid() as { global: object; call_objects: Record<string, unknown>[] };
    body.call_objects[2] = { task: 'no number' };
    body.call_objects[3] = { phone_number: 14155550103 };
    body.call_objects[9] = { phone_number: '+14155550109', temperature: 3, record: 'yes' };
    const issues = issuesOf(body);
    expect(Object.keys(issues).sort()).toEqual([
      'call_objects[2].phone_number',
      'call_objects[3].phone_number',
      'call_objects[9].record',
      'call_objects[9].temperature',
    ]);
    expect(issues['call_objects[3].phone_number']).toMatch(/phone number string/);
    expect(issues['call_objects[9].record']).toBe('expected true or false');
  });

  it('lets unknown fields through untouched, at every level', () => {
    const body = {
      ...valid(),
      brand_new_option: { nested: [1, 2] },
      global: { task: 'x', future_flag: true },
      call_objects: [{ phone_number: '+14155550100', per_call_thing: 'kept' }],
    };
    const parsed = createBatchRequestSchema.parse(body) as Record<string, unknown>;
    expect(parsed.brand_new_option).toEqual({ nested: [1, 2] });
    expect((parsed.global as Record<string, unknown>).future_flag).toBe(true);
    expect((parsed.call_objects as Record<string, unknown>[])[0]!.per_call_thing).toBe('kept');
  });

  it('enforces the rules of global', () => {
    expect(issuesOf({ call_objects: valid().call_objects })).toHaveProperty('global');
    expect(issuesOf({ ...valid(), global: { voice: 'maya' } })).toEqual({
      global: 'global must include "task" or "pathway_id"',
    });
    const withPhone = issuesOf({ ...valid(), global: { task: 'x', phone_number: '+14155550100' } });
    expect(withPhone['global.phone_number']).toMatch(/not allowed in global/);
    expect(issuesOf({ ...valid(), global: { task: '' } })['global.task']).toMatch(/non-empty/);
  });

  it('limits the description to 60 characters', () => {
    expect(issuesOf({ ...valid(), description: 'x'.repeat(60) })).toEqual({});
    expect(issuesOf({ ...valid(), description: 'x'.repeat(61) })).toEqual({
      description: 'expected at most 60 characters',
    });
  });

  it('requires a non-empty array of call objects and an http(s) status_webhook', () => {
    expect(issuesOf({ ...valid(), call_objects: {} })).toEqual({ call_objects: 'expected an array of call objects' });
    expect(issuesOf({ ...valid(), call_objects: [] })).toEqual({ call_objects: 'expected at least one call object' });
    expect(issuesOf({ ...valid(), status_webhook: 'ftp://example.com' })).toEqual({
      status_webhook: 'expected an http:// or https:// URL',
    });
    expect(issuesOf(null)).toHaveProperty('(body)');
  });

  it('checks start_time format and calendar', () => {
    const at = (start_time: string) =>
      issuesOf({ ...valid(), call_objects: [{ phone_number: '+14155550100', start_time }] })[
        'call_objects[0].start_time'
      ];
    expect(at('2026-12-01 09:30:00 -05:00')).toBeUndefined();
    expect(at('2026-12-01 09:30:00')).toBeUndefined();
    expect(at('2026-12-01T09:30:00Z')).toMatch(/YYYY-MM-DD HH:MM:SS/);
    expect(at('2026-02-30 09:30:00')).toBe('expected a real calendar date and time');
    expect(at('2026-12-01 24:00:00')).toBe('expected a real calendar date and time');
  });

  it('validates the other known call fields', () => {
    const entry = (fields: Record<string, unknown>) =>
      callObjectSchema.safeParse({ phone_number: '+14155550100', ...fields }).success;
    expect(entry({ from: '+14155550199', max_duration: 1, b_cid: '01890a5d-ac96-774b-bcce-b302099a8057' })).toBe(true);
    expect(entry({ from: '4155550199' })).toBe(false);
    expect(entry({ max_duration: 0.5 })).toBe(false);
    expect(entry({ b_cid: 'not-a-uuid' })).toBe(false);
    expect(entry({ webhook: 'mailto:x@example.com' })).toBe(false);
    expect(entry({ pathway_version: 3 })).toBe(true);
  });
});

describe('start_time helpers', () => {
  it('parses with and without an offset (none = UTC)', () => {
    expect(parseStartTime('2026-12-01 09:30:00')).toBe(Date.parse('2026-12-01T09:30:00Z'));
    expect(parseStartTime('2026-12-01 09:30:00 -05:00')).toBe(Date.parse('2026-12-01T14:30:00Z'));
    expect(parseStartTime('2026-12-01 09:30:00 +05:30')).toBe(Date.parse('2026-12-01T04:00:00Z'));
    expect(parseStartTime('2026-02-29 00:00:00')).toBeUndefined();
    expect(parseStartTime('2028-02-29 00:00:00')).toBe(Date.parse('2028-02-29T00:00:00Z'));
    expect(parseStartTime('tomorrow')).toBeUndefined();
  });

  it("takes an entry's own start_time over global's, and the latest of all", () => {
    const request = {
      global: { task: 'x', start_time: '2026-12-01 09:00:00' },
      call_objects: [
        { phone_number: '+14155550100' },
        { phone_number: '+14155550101', start_time: '2026-12-01 10:00:00 +02:00' },
      ],
    };
    expect(latestStartTime(request)).toBe(Date.parse('2026-12-01T09:00:00Z'));
    request.call_objects[1]!.start_time = '2026-12-02 00:00:00';
    expect(latestStartTime(request)).toBe(Date.parse('2026-12-02T00:00:00Z'));
    expect(
      latestStartTime({ global: { task: 'x' }, call_objects: [{ phone_number: '+14155550100' }] }),
    ).toBeUndefined();
  });
});

describe('statusEventSchema', () => {
  const base = { batch_id: 'b-1', timestamp: '2026-11-30T10:00:00.000Z' };

  it('accepts every documented shape', () => {
    for (const event of [
      { ...base, status: 'validating' },
      { ...base, status: 'in_progress', message: 'Requested: 100. Validated: 100. Dispatched: 100. CPS: 12.50.' },
      { ...base, status: 'completed', calls_total: 100, calls_successful: 98, calls_failed: 2 },
      { ...base, status: 'failed', code: 'source_invalid', reason: 'Entry #7 did not have a phone number.' },
      {
        ...base,
        status: 'completed_partial',
        code: 'batch_early_exit',
        reason: 'Condition not met within 86400 seconds',
        calls_total: 3,
        calls_successful: 1,
        calls_failed: 2,
      },
    ]) {
      expect(statusEventSchema.safeParse(event).success).toBe(true);
    }
  });

  it('keeps unknown statuses and unknown fields', () => {
    const parsed = statusEventSchema.parse({ ...base, status: 'paused_by_carrier', extra: { a: 1 } });
    expect(parsed.status).toBe('paused_by_carrier');
    expect((parsed as Record<string, unknown>).extra).toEqual({ a: 1 });
  });

  it('rejects what cannot be an event', () => {
    const issues = (event: unknown) => {
      const result = statusEventSchema.safeParse(event);
      return result.success ? [] : describeIssues(result.error).map((i) => i.path);
    };
    expect(issues({ ...base, status: '' })).toEqual(['status']);
    expect(issues({ ...base, status: 'completed', timestamp: 'yesterday' })).toEqual(['timestamp']);
    expect(issues({ ...base, status: 'completed', calls_total: -1 })).toEqual(['calls_total']);
    expect(issues({ status: 'completed', timestamp: base.timestamp })).toEqual(['batch_id']);
  });
});

describe("Bland's reply schemas", () => {
  it('create reply', () => {
    expect(createBatchReplySchema.parse({ data: { batch_id: 'b-1' }, errors: null }).data.batch_id).toBe('b-1');
    expect(createBatchReplySchema.safeParse({ data: null, errors: [{ error: 'X' }] }).success).toBe(false);
    expect(createBatchReplySchema.safeParse({ data: { batch_id: '' }, errors: null }).success).toBe(false);
  });

  it('the three error styles', () => {
    for (const reply of [
      { data: null, errors: [{ error: 'INVALID_REQUEST', message: 'global is required.' }] },
      { error: 'AUTH_FAILURE', message: 'Unauthorized' },
      { status: 'error', message: 'Invalid phone number', errors: ['call_objects[0]'] },
    ]) {
      expect(blandErrorReplySchema.safeParse(reply).success).toBe(true);
    }
    expect(blandErrorReplySchema.safeParse({ data: null, errors: [] }).success).toBe(false);
    expect(blandErrorReplySchema.safeParse({ data: { batch_id: 'b' }, errors: null }).success).toBe(false);
  });

  it('batch records, lists and logs (ids as strings or numbers, extra fields kept)', () => {
    const record = { id: 'b-1', base_prompt: null, created_at: '2026-11-30T10:00:00Z', new_field: 1 };
    expect(batchRecordSchema.parse(record)).toMatchObject(record);
    expect(getBatchReplySchema.safeParse({ data: record, errors: null }).success).toBe(true);
    expect(listBatchesReplySchema.parse({ data: [record, { id: 'b-2' }] }).data).toHaveLength(2);
    expect(getBatchReplySchema.safeParse({ data: null }).success).toBe(false);

    const entries = [
      { id: 1, batch_id: 'b-1', event_type: 'lifecycle', timestamp: 't', payload: { state_change: 'validating' } },
      { id: 'log-2', batch_id: 'b-1', org_id: 'o', event_type: 'complete', timestamp: 't', payload: null },
    ];
    expect(batchLogsReplySchema.parse({ data: entries }).data).toHaveLength(2);
    expect(batchLogEntrySchema.safeParse({ id: true, batch_id: 'b', event_type: 'x', timestamp: 't' }).success).toBe(
      false,
    );
  });

  it('formats paths', () => {
    expect(formatPath([])).toBe('(body)');
    expect(formatPath(['call_objects', 7, 'phone_number'])).toBe('call_objects[7].phone_number');
    expect(formatPath(['global', 'metadata', 'a'])).toBe('global.metadata.a');
  });
});

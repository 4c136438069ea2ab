import { createBatchRequestSchema } from '../src/bland/schemas';
import type { Benchmark } from './harness';

/** Validating a 10,000-entry Create Batch body, against a JSON round trip of the same body. */

const ENTRIES = 10_000;

export function bigBody(entries = ENTRIES): Record<string, unknown> {
  return {
    description: 'benchmark batch',
    status_webhook: 'https://example.com/hooks/bland',
    global: {
      task: 'Remind the customer of their appointment tomorrow and confirm the time.',
      voice: 'maya',
      max_duration: 5,
      metadata: { orchestrator_workflow_id: 'batch-bench' },
    },
    call_objects: Array.from({ length: entries }, (_, i) => ({
      phone_number: `+1415${String(1_000_000 + i).padStart(7, '0')}`,
      request_data: { name: `Customer ${i}`, appointment: '2026-12-01 09:30' },
      ...(i % 10 === 0 ? { start_time: '2026-12-01 09:00:00 -05:00' } : {}),
      metadata: { row: i },
    })),
  };
}

const benchmark: Benchmark = {
  name: 'create-batch validation',
  description: `createBatchRequestSchema.safeParse of ${ENTRIES.toLocaleString('en')} entries vs. JSON.parse(JSON.stringify(body))`,
  runs: 15,
  async setup() {
    const body = bigBody();
    return {
      baseline: { name: 'JSON.parse(JSON.stringify(body))', fn: () => JSON.parse(JSON.stringify(body)) },
      subject: {
        name: 'createBatchRequestSchema.safeParse(body)',
        fn: () => {
          if (!createBatchRequestSchema.safeParse(body).success) throw new Error('benchmark body must be valid');
        },
      },
    };
  },
};
export default benchmark;

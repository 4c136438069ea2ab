import type { AddressInfo } from 'node:net';
import { buildApp } from './simulator/routes';
import { resolveOptions, SimState } from './simulator/state';
import type { Faults, SimBatchSummary, SimulatorOptions } from './simulator/types';

/**
 * A faithful fake of Bland's batch API (see shared docs/bland-batch-api.md), for `npm start`
 * without a BLAND_API_KEY and for every e2e/workflow test.
 *
 * - `POST /v2/batches/create`, `GET /v2/batches/{id}`, `GET /v2/batches/list`,
 *   `GET /v2/batches/{id}/logs`, `POST /v2/batches/{id}/stop`, `GET /v1/calls?batch_id=`;
 *   `authorization: <apiKey>` (raw, no "Bearer") or 401.
 * - Lifecycle after create, one phase per stepMs: validating → dispatching → in_progress (or
 *   in_progress_chunked, one event per chunk) → waiting_for_scheduled_calls when a start_time is in
 *   the future → completed / completed_partial / failed (source_invalid). Each event is POSTed
 *   once to status_webhook (10 s timeout, never retried) and written to the logs.
 * - A call fails when its phone number ends in "0000"; invalid or blank numbers are skipped and
 *   count as failed; an entry without a phone number fails the batch (`Entry #N`, N 0-based).
 * - Faults (create errors, hangs, lost replies, dropped/duplicated/delayed/reordered webhooks)
 *   through `setFaults` or `POST /admin/faults`.
 */

export type { CreateFault, Faults, SimBatchSummary, SimulatorOptions, WebhookAttempt } from './simulator/types';
export { FAILING_SUFFIX } from './simulator/validate';

export interface BlandSimulator {
  /** Base URL, e.g. http://127.0.0.1:4010 (no trailing slash). */
  url: string;
  /** The accepted `authorization` value. */
  apiKey: string;
  close(): Promise<void>;
  /** Replaces the global faults, or those of batches whose global.metadata marker equals `marker`. */
  setFaults(faults: Faults, marker?: string): void;
  batches(): SimBatchSummary[];
  /** How many create requests carried that marker, whatever their outcome (all requests without a marker). */
  createCalls(marker?: string): number;
  reset(): void;
}

export async function startBlandSimulator(options: SimulatorOptions = {}): Promise<BlandSimulator> {
  const resolved = resolveOptions(options);
  const state = new SimState(resolved);
  const app = buildApp(state);
  const server = await new Promise<import('node:http').Server>((resolve, reject) => {
    const s = app.listen(resolved.port, resolved.host, (error?: Error) => (error ? reject(error) : resolve(s)));
  });
  const { port } = server.address() as AddressInfo;
  const host = resolved.host.includes(':') ? `[${resolved.host}]` : resolved.host;
  const url = `http://${host}:${port}`;
  let closed: Promise<void> | undefined;

  return {
    url,
    apiKey: resolved.apiKey,
    close() {
      closed ??= new Promise<void>((resolve) => {
        state.reset();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
    setFaults: (faults, marker) => state.setFaults(faults, marker),
    batches: () => state.summaries(),
    createCalls: (marker) => state.createCalls(marker),
    reset: () => state.reset(),
  };
}

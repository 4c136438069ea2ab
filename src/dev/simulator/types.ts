import { z } from 'zod';

/** Options and fault definitions of the Bland simulator (see ../bland-simulator.ts). */

export interface SimulatorOptions {
  /** 0 (default) = any free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** The accepted `authorization` value (the raw key, no "Bearer"). Default 'sim-key'. */
  apiKey?: string;
  /** Pause between lifecycle phases. Default 1000 ms. */
  stepMs?: number;
  /** Batches with more calls than this go `in_progress_chunked`, one progress event per chunk. Default 50. */
  chunkSize?: number;
  /** Simulated duration of one chunk / call group. Default stepMs. */
  callMs?: number;
  /** After a stop, the batch ends `completed_partial` with code "batch_stopped". Default true. */
  stopSendsFinal?: boolean;
  /** When set, webhooks carry `X-Webhook-Signature`: hex HMAC-SHA256 of the body, as Bland signs them. */
  webhookSecret?: string;
  log?: (line: string) => void;
}

const createFaultSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('status'),
    status: z.number().int().min(400).max(599),
    retryAfterSec: z.number().nonnegative().optional(),
    message: z.string().optional(),
  }),
  /** Never reply (the client times out). */
  z.object({ kind: z.literal('hang') }),
  /** Create the batch, then destroy the socket before replying (a lost response). */
  z.object({ kind: z.literal('drop_after_create') }),
]);
export type CreateFault = z.infer<typeof createFaultSchema>;

const statusList = z.array(z.string());

export const faultsSchema = z.strictObject({
  /** A queue: each create request consumes the first entry. */
  create: z.array(createFaultSchema).optional(),
  webhooks: z
    .strictObject({
      /** Statuses whose webhook is not delivered (still written to the logs), or 'all'. */
      drop: z.union([statusList, z.literal('all')]).optional(),
      /** Statuses whose webhook is delivered twice. */
      duplicate: statusList.optional(),
      /** Every delivery waits this long first. */
      delayMs: z.number().int().nonnegative().optional(),
      /** Hold every webhook of a batch and send them in reverse order once it ends. */
      reorder: z.boolean().optional(),
    })
    .optional(),
});
export type Faults = z.infer<typeof faultsSchema>;
export type WebhookFaults = NonNullable<Faults['webhooks']>;

export const setFaultsBodySchema = z.strictObject({ marker: z.string().min(1).optional(), faults: faultsSchema });

export interface WebhookAttempt {
  status: string;
  delivered: boolean;
  attempt_at: string;
}

export interface SimBatchSummary {
  batch_id: string;
  marker?: string;
  description: string;
  created_at: string;
  /** The last status emitted ('created' before the first one). */
  status: string;
  calls: number;
  stop_calls: number;
  /** A stop request reached the batch while it was running. */
  stopped: boolean;
  webhooks: WebhookAttempt[];
  /** Set once the batch has ended with counts. */
  counts?: { total: number; successful: number; failed: number };
}

/** A status event as Bland sends it (webhook body) and logs it. */
export interface SimEvent {
  batch_id: string;
  status: string;
  timestamp: string;
  message?: string;
  code?: string;
  reason?: string;
  calls_total?: number;
  calls_successful?: number;
  calls_failed?: number;
}

export interface SimLogEntry {
  id: number;
  batch_id: string;
  org_id: string;
  event_type: 'lifecycle' | 'complete';
  timestamp: string;
  payload: Record<string, unknown>;
}

export const SIM_ORG_ID = 'sim-org';
export const SIM_USER_ID = 'sim-user';

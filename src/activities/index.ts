import { ApplicationFailure, Context } from '@temporalio/activity';
import { eventsFromLogs, type ReconciledEvent } from '../bland/logs';
import type { BatchSubmission } from '../bland/options';
import { type BatchLogEntry, type BatchRecord, WORKFLOW_MARKER_KEY } from '../bland/schemas';
import { callbackUrl } from '../webhook-token';
import type { ForwardedEvent } from '../workflows/messages';
import { translated } from './errors';
import { forwardToCaller } from './notify-client';

/** The part of the Bland client the activities use (bland/client.ts implements it). */
export interface BlandApi {
  createBatch(body: Record<string, unknown>): Promise<{ batch_id: string }>;
  listBatches(page?: { take?: number; skip?: number }): Promise<BatchRecord[]>;
  getAllLogs(batchId: string): Promise<BatchLogEntry[]>;
  stopBatch(batchId: string): Promise<void>;
}

export interface ActivityDeps {
  bland: BlandApi;
  /** Where Bland reaches our webhook route. */
  publicUrl: string;
  webhookTokenSecret: string;
  /** Signs forwards to callers' webhooks (X-Signature); unsigned when absent. */
  callerWebhookSecret?: string;
  callerTimeoutMs?: number;
  /** How many pages of Bland's most recent batches (100 each) a retried create searches for its own. */
  adoptSearchPages?: number;
}

export interface CreateBatchResult {
  batch_id: string;
  /** The batch was found at Bland from an earlier attempt whose reply was lost. */
  adopted: boolean;
}

const PAGE_SIZE = 100;
/** Bland's clock and ours may disagree; a batch is looked for this far before our first attempt. */
const CLOCK_SKEW_MS = 10 * 60_000;

export function createActivities(deps: ActivityDeps) {
  const pages = deps.adoptSearchPages ?? 10;

  /**
   * The batch an earlier attempt of this workflow created, if Bland knows one. Bland lists newest
   * first; once a page reaches batches created before `notBefore` (less clock skew) the search is
   * conclusive. Running out of pages before that is not an answer, and creating anyway could call
   * people twice, so it throws a non-retryable AdoptionInconclusive instead.
   */
  async function findOwnBatch(workflowId: string, notBefore: number): Promise<string | undefined> {
    const cutoff = notBefore - CLOCK_SKEW_MS;
    for (let page = 0; page < pages; page++) {
      const records = await deps.bland.listBatches({ take: PAGE_SIZE, skip: page * PAGE_SIZE });
      const own = records.find((r) => markerOf(r) === workflowId);
      if (own) return own.id;
      if (records.length < PAGE_SIZE) return undefined;
      if (records.some((r) => Date.parse(r.created_at ?? '') < cutoff)) return undefined;
    }
    throw ApplicationFailure.nonRetryable(
      `could not confirm whether an earlier create attempt made this batch: no batch of this workflow among Bland's ${pages * PAGE_SIZE} newest, and they are not yet older than the first attempt; not creating another, to avoid calling people twice`,
      'AdoptionInconclusive',
    );
  }

  return {
    /**
     * POSTs the batch with our callback URL and the workflow marker. Bland has no idempotency
     * key, so a retry first looks for the batch an earlier attempt may have created and adopts
     * it: a lost reply must never mean calling the same people twice.
     */
    async createBatch(input: { workflowId: string; submission: BatchSubmission }): Promise<CreateBatchResult> {
      const { workflowId, submission } = input;
      const { info, log } = Context.current();
      return translated(async () => {
        if (info.attempt > 1) {
          const existing = await findOwnBatch(workflowId, info.scheduledTimestampMs);
          if (existing) {
            log.info('adopted the batch created by an earlier attempt', { batch_id: existing, attempt: info.attempt });
            return { batch_id: existing, adopted: true };
          }
        }
        const { options: _options, status_webhook: _callerWebhook, ...request } = submission;
        const body = {
          ...request,
          global: { ...request.global, metadata: { ...request.global.metadata, [WORKFLOW_MARKER_KEY]: workflowId } },
          status_webhook: callbackUrl(deps.publicUrl, workflowId, deps.webhookTokenSecret),
        };
        const { batch_id } = await deps.bland.createBatch(body);
        return { batch_id, adopted: false };
      });
    },

    /** The batch this workflow created, if any: after a create was abandoned mid-retry by a cancel. */
    async findBatch(input: { workflowId: string; notBefore: number }): Promise<{ batch_id?: string }> {
      return translated(async () => ({ batch_id: await findOwnBatch(input.workflowId, input.notBefore) }));
    },

    /** Reads Bland's logs: the documented way to recover phases and counts of lost webhooks. */
    async reconcileBatch(input: { batchId: string }): Promise<ReconciledEvent[]> {
      return translated(async () => eventsFromLogs(input.batchId, await deps.bland.getAllLogs(input.batchId)));
    },

    async stopBatch(input: { batchId: string }): Promise<void> {
      return translated(() => deps.bland.stopBatch(input.batchId));
    },

    async notifyClient(input: { url: string; event: ForwardedEvent }): Promise<void> {
      await forwardToCaller(input.url, input.event, {
        secret: deps.callerWebhookSecret,
        timeoutMs: deps.callerTimeoutMs ?? 10_000,
      });
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;

function markerOf(record: BatchRecord): string | undefined {
  const prompt = record.base_prompt;
  if (typeof prompt !== 'string' || !prompt.includes(WORKFLOW_MARKER_KEY)) return undefined;
  try {
    const global = JSON.parse(prompt) as { metadata?: Record<string, unknown> };
    const marker = global.metadata?.[WORKFLOW_MARKER_KEY];
    return typeof marker === 'string' ? marker : undefined;
  } catch {
    return undefined;
  }
}

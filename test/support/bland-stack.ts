import { createActivities } from '../../src/activities';
import { createApp } from '../../src/api/app';
import { listen, type RunningServer } from '../../src/api/serve';
import { BlandClient } from '../../src/bland/client';
import { BatchClient } from '../../src/client';
import { type BlandSimulator, type SimulatorOptions, startBlandSimulator } from '../../src/dev/bland-simulator';
import { type TemporalTestContext, uniqueTaskQueue } from './temporal';

export const TEST_WEBHOOK_TOKEN_SECRET = 'test-webhook-token-secret-0123456789';

export interface BlandStack {
  sim: BlandSimulator;
  api: RunningServer;
  batches: BatchClient;
  taskQueue: string;
  activities: ReturnType<typeof createActivities>;
  close(): Promise<void>;
}

/**
 * Everything but the worker, wired as in production: the simulator plays Bland and POSTs its
 * webhooks over real HTTP to the real API, which signals the workflow through Temporal.
 */
export async function startBlandStack(
  ctx: TemporalTestContext,
  options: { simulator?: SimulatorOptions; callerWebhookSecret?: string; blandTimeoutMs?: number } = {},
): Promise<BlandStack> {
  const sim = await startBlandSimulator({ stepMs: 100, ...options.simulator });
  const taskQueue = uniqueTaskQueue('bland');
  const batches = new BatchClient({ client: ctx.client, taskQueue });
  const app = createApp({
    config: {
      API_TOKENS: [],
      API_AUTH: 'disabled',
      WEBHOOK_TOKEN_SECRET: TEST_WEBHOOK_TOKEN_SECRET,
      BLAND_WEBHOOK_SECRET: undefined,
      WEBHOOK_BODY_LIMIT_BYTES: 262_144,
      TEMPORAL_UI_URL: 'http://localhost:8233',
      LOG_LEVEL: 'silent',
    },
    batches,
  });
  const api = await listen(app, { port: 0, host: '127.0.0.1' });
  const activities = createActivities({
    bland: new BlandClient({ baseUrl: sim.url, apiKey: sim.apiKey, timeoutMs: options.blandTimeoutMs ?? 3_000 }),
    publicUrl: api.url,
    webhookTokenSecret: TEST_WEBHOOK_TOKEN_SECRET,
    callerWebhookSecret: options.callerWebhookSecret,
  });
  return {
    sim,
    api,
    batches,
    taskQueue,
    activities,
    async close() {
      await api.close();
      await sim.close();
    },
  };
}

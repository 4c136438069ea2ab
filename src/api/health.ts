import type { Express } from 'express';
import type { BatchClient } from '../client';
import { sendError } from './errors';

/** `/healthz`: the process answers. `/readyz`: Temporal answers a cheap call in time. */
export function registerHealthRoutes(
  app: Express,
  options: { batches: BatchClient; readinessTimeoutMs?: number },
): void {
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    if (await options.batches.ready(options.readinessTimeoutMs ?? 2_000)) {
      res.json({ status: 'ok' });
    } else {
      sendError(res, 503, 'temporal_unavailable', 'Temporal did not answer the readiness check in time');
    }
  });
}

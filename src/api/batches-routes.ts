import type { Express, Request, RequestHandler } from 'express';
import { describeIssues } from '../bland/schemas';
import { type BatchClient, cancelRequestSchema, InvalidRequestError } from '../client';
import { bodyBytes, parseJson, rawBody } from './body';
import { toApiError } from './errors';
import type { ApiMetrics } from './metrics';

export interface BatchesRoutesOptions {
  batches: BatchClient;
  metrics: ApiMetrics;
  /** Submissions travel as one workflow input: keep them under Temporal's 2 MB payload limit. */
  bodyLimitBytes: number;
  temporalUiUrl: string;
  /** Bearer auth, first handler of every route here (so metrics and logs see the route pattern). */
  auth: RequestHandler;
}

export const BATCHES_PATH = '/v1/batches';

/** `POST/GET /v1/batches`, `GET /v1/batches/:id`, `POST /v1/batches/:id/cancel`, all behind `auth`. */
export function registerBatchesRoutes(app: Express, options: BatchesRoutesOptions): void {
  const { batches, metrics, auth } = options;
  const links = (id: string) => ({
    self: `${BATCHES_PATH}/${encodeURIComponent(id)}`,
    temporal_ui: `${options.temporalUiUrl}/namespaces/${encodeURIComponent(batches.namespace)}/workflows/${encodeURIComponent(id)}`,
  });

  app.post(BATCHES_PATH, auth, rawBody(options.bodyLimitBytes), async (req, res) => {
    let result: Awaited<ReturnType<BatchClient['start']>>;
    try {
      const body = parseJson(bodyBytes(req));
      result = await batches.start(body, { idempotencyKey: req.get('idempotency-key') });
    } catch (err) {
      const { status } = toApiError(err);
      if (status === 409) metrics.batchSubmissions.inc({ outcome: 'conflict' });
      else if (status === 400) metrics.batchSubmissions.inc({ outcome: 'invalid' });
      throw err;
    }
    if (result.created) {
      metrics.batchesStarted.inc();
      metrics.batchSubmissions.inc({ outcome: 'created' });
      req.log.info({ workflow_id: result.id }, 'batch started');
    } else {
      metrics.batchSubmissions.inc({ outcome: 'existing' });
    }
    res.status(result.created ? 202 : 200).json({ id: result.id, status: result.status, links: links(result.id) });
  });

  app.get(BATCHES_PATH, auth, async (req, res) => {
    const page = await batches.list({
      status: queryValue(req, 'status'),
      limit: queryValue(req, 'limit'),
      cursor: queryValue(req, 'cursor'),
    } as Parameters<BatchClient['list']>[0]);
    res.json(page);
  });

  app.get(`${BATCHES_PATH}/:id`, auth, async (req, res) => {
    res.json(await batches.get(req.params.id as string));
  });

  app.post(`${BATCHES_PATH}/:id/cancel`, auth, rawBody(16 * 1024), async (req, res) => {
    const bytes = bodyBytes(req);
    const parsed = cancelRequestSchema.safeParse(bytes.length === 0 ? {} : parseJson(bytes));
    if (!parsed.success) throw new InvalidRequestError('invalid cancel request', describeIssues(parsed.error));
    const id = req.params.id as string;
    const result = await batches.cancel(id, parsed.data.reason);
    req.log.info({ workflow_id: id }, 'batch cancel requested');
    res.status(202).json(result);
  });
}

/** A query parameter as given (a repeated one stays an array, and fails validation). */
function queryValue(req: Request, name: string): unknown {
  return (req.query as Record<string, unknown>)[name];
}

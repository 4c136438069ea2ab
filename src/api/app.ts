import express, { type Express } from 'express';
import type { BatchClient } from '../client';
import { type Config, requireWebhookTokenSecret } from '../config';
import { createLogger, type Logger } from '../logger';
import { bearerAuth } from './auth';
import { registerBatchesRoutes } from './batches-routes';
import { errorHandler, notFoundHandler } from './errors';
import { registerHealthRoutes } from './health';
import { type ApiMetrics, createMetrics, httpMetrics, metricsRoute } from './metrics';
import { buildOpenApiDocument } from './openapi';
import { requestLogging } from './request-logging';
import { registerWebhookRoute } from './webhook-route';

export type AppConfig = Pick<
  Config,
  | 'API_TOKENS'
  | 'API_AUTH'
  | 'WEBHOOK_TOKEN_SECRET'
  | 'BLAND_WEBHOOK_SECRET'
  | 'WEBHOOK_BODY_LIMIT_BYTES'
  | 'TEMPORAL_UI_URL'
  | 'LOG_LEVEL'
>;

export interface AppDeps {
  config: AppConfig;
  /** The one implementation of start/get/list/cancel/deliver, shared with backend services. */
  batches: BatchClient;
  logger?: Logger;
  metrics?: ApiMetrics;
  /** Default 1,800,000 bytes: a submission is one workflow input, under Temporal's 2 MB payload limit. */
  batchBodyLimitBytes?: number;
  readinessTimeoutMs?: number;
  webhookDeliveryTimeoutMs?: number;
}

export interface App extends Express {
  locals: Express['locals'] & { logger: Logger; metrics: ApiMetrics };
}

/** The HTTP API as an express app (listen on it yourself; tests use port 0). */
export function createApp(deps: AppDeps): App {
  const { config, batches } = deps;
  const logger = deps.logger ?? createLogger({ level: config.LOG_LEVEL });
  const metrics = deps.metrics ?? createMetrics();
  const tokenSecret = requireWebhookTokenSecret(config as Config);

  const app = express() as App;
  app.locals.logger = logger;
  app.locals.metrics = metrics;
  app.disable('x-powered-by');
  app.set('etag', false);
  // The default "simple" parser: repeated parameters become arrays, nothing nests.
  app.set('query parser', 'simple');

  app.use(requestLogging(logger));
  app.use(httpMetrics(metrics));

  registerHealthRoutes(app, { batches, readinessTimeoutMs: deps.readinessTimeoutMs });
  app.get('/metrics', metricsRoute(metrics));
  const openapi = buildOpenApiDocument();
  app.get('/openapi.json', (_req, res) => {
    res.json(openapi);
  });

  registerWebhookRoute(app, {
    batches,
    metrics,
    tokenSecret,
    signatureSecret: config.BLAND_WEBHOOK_SECRET,
    bodyLimitBytes: config.WEBHOOK_BODY_LIMIT_BYTES,
    deliveryTimeoutMs: deps.webhookDeliveryTimeoutMs,
  });

  registerBatchesRoutes(app, {
    auth: bearerAuth({ tokens: config.API_TOKENS, disabled: config.API_AUTH === 'disabled' }),
    batches,
    metrics,
    bodyLimitBytes: deps.batchBodyLimitBytes ?? 1_800_000,
    temporalUiUrl: config.TEMPORAL_UI_URL,
  });

  app.use(notFoundHandler);
  app.use(errorHandler(logger));
  return app;
}

import type { RequestHandler } from 'express';
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import { routeOf } from './request-logging';

/** The API's Prometheus metrics, on a registry of their own (one per app, so tests can run several). */
export interface ApiMetrics {
  registry: Registry;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  /** Signals Temporal accepted from the webhook route. */
  signalsSent: Counter<never>;
  /** Webhooks not turned into a signal, by reason (invalid_token, invalid_signature, invalid_json, …). */
  webhookRejections: Counter<'reason'>;
  /** New batch workflows started. */
  batchesStarted: Counter<never>;
  /** Every submission by outcome: created, existing, conflict, invalid. */
  batchSubmissions: Counter<'outcome'>;
}

export function createMetrics(options: { defaultMetrics?: boolean } = {}): ApiMetrics {
  const registry = new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpRequests: new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests by route pattern and status',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request latency by route pattern and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    signalsSent: new Counter({
      name: 'bland_webhook_signals_sent_total',
      help: 'Bland status webhooks delivered to their workflow as a signal',
      registers: [registry],
    }),
    webhookRejections: new Counter({
      name: 'bland_webhook_rejections_total',
      help: 'Bland status webhooks not delivered, by reason',
      labelNames: ['reason'],
      registers: [registry],
    }),
    batchesStarted: new Counter({
      name: 'batches_started_total',
      help: 'Batch workflows started',
      registers: [registry],
    }),
    batchSubmissions: new Counter({
      name: 'batch_submissions_total',
      help: 'POST /v1/batches by outcome (created, existing, conflict, invalid)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
  };
}

export function httpMetrics(metrics: ApiMetrics): RequestHandler {
  return (req, res, next) => {
    const end = metrics.httpDuration.startTimer();
    res.on('finish', () => {
      const labels = { method: req.method, route: routeOf(req), status: String(res.statusCode) };
      end(labels);
      metrics.httpRequests.inc(labels);
    });
    next();
  };
}

export function metricsRoute(metrics: ApiMetrics): RequestHandler {
  return async (_req, res) => {
    res.setHeader('Content-Type', metrics.registry.contentType);
    res.send(await metrics.registry.metrics());
  };
}

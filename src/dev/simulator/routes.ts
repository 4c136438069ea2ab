import express, { type NextFunction, type Request, type Response } from 'express';
import { describeIssues } from '../../bland/schemas';
import type { SimState } from './state';
import { setFaultsBodySchema } from './types';
import { markerOf, validateCreate } from './validate';

/** Bland's five batch endpoints (+ GET /v1/calls), and the simulator-only /admin routes. */

const v2Error = (code: string, message: string) => ({ data: null, errors: [{ error: code, message }] });

const STATUS_CODES: Record<number, [string, string]> = {
  400: ['INVALID_REQUEST', 'Bad request'],
  401: ['AUTH_FAILURE', 'Unauthorized'],
  403: ['FORBIDDEN', 'Forbidden'],
  404: ['NOT_FOUND', 'Not found'],
  408: ['REQUEST_TIMEOUT', 'Request timeout'],
  429: ['RATE_LIMITED', 'Rate limit exceeded'],
  500: ['INTERNAL_SERVER_ERROR', 'Internal server error'],
  502: ['BAD_GATEWAY', 'Bad gateway'],
  503: ['SERVICE_UNAVAILABLE', 'Service unavailable'],
};

function intParam(value: unknown, fallback: number, max: number): number | undefined {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !/^\d+$/.test(value)) return undefined;
  return Math.min(Number(value), max);
}

export function buildApp(state: SimState): express.Express {
  const { apiKey, log } = state.options;
  const app = express();
  app.disable('x-powered-by');
  app.use((req, res, next) => {
    res.on('finish', () => log(`${req.method} ${req.originalUrl} -> ${res.statusCode}`));
    next();
  });
  app.use(express.json({ limit: '100mb' }));

  // --- simulator-only admin routes (no auth) ---------------------------------------------------
  app.post('/admin/faults', (req, res) => {
    const parsed = setFaultsBodySchema.safeParse(req.body);
    if (!parsed.success)
      return void res.status(400).json({ error: 'INVALID_FAULTS', issues: describeIssues(parsed.error) });
    state.setFaults(parsed.data.faults, parsed.data.marker);
    res.json({ ok: true });
  });
  app.get('/admin/batches', (_req, res) => void res.json({ data: state.summaries() }));
  app.get('/admin/create-calls', (req, res) => {
    const marker = typeof req.query.marker === 'string' ? req.query.marker : undefined;
    res.json({ marker: marker ?? null, count: state.createCalls(marker) });
  });
  app.post('/admin/reset', (_req, res) => {
    state.reset();
    res.json({ ok: true });
  });

  // --- Bland's API ---------------------------------------------------------------------------
  app.post('/v2/batches/create', (req, res) => {
    const marker = markerOf(req.body);
    state.countCreateCall(marker);
    if (req.headers.authorization !== apiKey) return unauthorized(res);
    const fault = state.faults.takeCreateFault(marker);
    if (fault?.kind === 'hang') return log('create: hanging (fault)');
    if (fault?.kind === 'status') {
      const [code, text] = STATUS_CODES[fault.status] ?? ['ERROR', `HTTP ${fault.status}`];
      if (fault.retryAfterSec !== undefined) res.setHeader('retry-after', String(fault.retryAfterSec));
      return void res.status(fault.status).json(v2Error(code, fault.message ?? text));
    }
    const validation = validateCreate(req.body, Date.now());
    if (!validation.ok) return void res.status(400).json(v2Error('VALIDATION_ERROR', validation.message));
    const batch = state.addBatch(validation.plan);
    if (fault?.kind === 'drop_after_create') {
      log(`create: ${batch.id} created, dropping the connection (fault)`);
      req.socket.destroy();
    } else {
      res.json({ data: { batch_id: batch.id }, errors: null });
    }
    batch.start();
  });

  const auth = (req: Request, res: Response, next: NextFunction) =>
    req.headers.authorization === apiKey ? next() : unauthorized(res);

  app.get('/v2/batches/list', auth, (req, res) => {
    const take = intParam(req.query.take, 50, 1000);
    const skip = intParam(req.query.skip, 0, Number.MAX_SAFE_INTEGER);
    if (take === undefined || skip === undefined) {
      return void res.status(400).json(v2Error('INVALID_REQUEST', 'take and skip must be non-negative integers.'));
    }
    const page = state.newestFirst().slice(skip, skip + take);
    res.json({ data: page.map((b) => b.record()), errors: null });
  });

  app.get('/v2/batches/:id', auth, (req, res) => {
    const batch = state.get(String(req.params.id));
    if (!batch) return void res.status(404).json(v2Error('NOT_FOUND', 'Batch not found.'));
    res.json({ data: batch.record(), errors: null });
  });

  app.get('/v2/batches/:id/logs', auth, (req, res) => {
    const batch = state.get(String(req.params.id));
    if (!batch) return void res.status(404).json(v2Error('NOT_FOUND', 'Batch not found.'));
    const take = intParam(req.query.take, 50, 1000);
    const skip = intParam(req.query.skip, 0, Number.MAX_SAFE_INTEGER);
    const direction = req.query.direction ?? 'desc';
    if (take === undefined || skip === undefined || (direction !== 'asc' && direction !== 'desc')) {
      const message = 'take and skip must be non-negative integers; direction asc or desc.';
      return void res.status(400).json(v2Error('INVALID_REQUEST', message));
    }
    const ordered = direction === 'asc' ? batch.logs : [...batch.logs].reverse();
    res.json({ data: ordered.slice(skip, skip + take), errors: null });
  });

  app.post('/v2/batches/:id/stop', auth, (req, res) => {
    const batch = state.get(String(req.params.id));
    if (!batch) return void res.status(404).json(v2Error('NOT_FOUND', 'Batch not found.'));
    batch.stop();
    res.json({ data: null, errors: null });
  });

  app.get('/v1/calls', auth, (req, res) => {
    const batch = typeof req.query.batch_id === 'string' ? state.get(req.query.batch_id) : undefined;
    const calls = batch ? batch.calls() : [];
    res.json({ total_count: calls.length, count: calls.length, calls });
  });

  app.use((_req, res) => void res.status(404).json(v2Error('NOT_FOUND', 'Route not found.')));
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = (error as { status?: number }).status ?? 500;
    const message = status === 400 ? 'Request body is not valid JSON.' : (error as Error).message;
    res.status(status).json(v2Error(STATUS_CODES[status]?.[0] ?? 'ERROR', message));
  });
  return app;
}

function unauthorized(res: Response): void {
  res.status(401).json({ error: 'AUTH_FAILURE', message: 'Unauthorized' });
}

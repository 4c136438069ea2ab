import type { z } from 'zod';
import {
  type BatchLogEntry,
  type BatchRecord,
  batchLogsReplySchema,
  blandErrorReplySchema,
  createBatchReplySchema,
  getBatchReplySchema,
  listBatchesReplySchema,
} from './schemas';

/**
 * HTTP client for Bland's batch endpoints. Every failure becomes a `BlandApiError` that says
 * whether a retry can help (network, timeout, 408, 429, 5xx, unparseable 2xx) and never carries
 * the API key or the encrypted key, even when Bland echoes them back.
 */

export interface BlandClientOptions {
  baseUrl: string;
  apiKey: string;
  encryptedKey?: string;
  /** Per request, including reading the body. Default 15000. */
  timeoutMs?: number;
  /** Aborts every request of this client (e.g. an activity's cancellation signal). */
  signal?: AbortSignal;
}

export type BlandErrorKind = 'network' | 'timeout' | 'http' | 'invalid_reply';

export interface BlandApiErrorFields {
  kind: BlandErrorKind;
  operation: string;
  retryable: boolean;
  status?: number;
  retryAfterMs?: number;
  blandMessage?: string;
  requestId?: string;
}

export class BlandApiError extends Error {
  override readonly name = 'BlandApiError';
  readonly kind: BlandErrorKind;
  readonly status?: number;
  readonly retryable: boolean;
  readonly retryAfterMs?: number;
  readonly blandMessage?: string;
  readonly requestId?: string;
  readonly operation: string;

  constructor(message: string, fields: BlandApiErrorFields) {
    super(message);
    this.kind = fields.kind;
    this.operation = fields.operation;
    this.retryable = fields.retryable;
    if (fields.status !== undefined) this.status = fields.status;
    if (fields.retryAfterMs !== undefined) this.retryAfterMs = fields.retryAfterMs;
    if (fields.blandMessage !== undefined) this.blandMessage = fields.blandMessage;
    if (fields.requestId !== undefined) this.requestId = fields.requestId;
  }

  /** `JSON.stringify` drops an Error's message; Temporal and loggers get every field instead. */
  toJSON(): BlandApiErrorFields & { name: string; message: string } {
    const { kind, operation, retryable, status, retryAfterMs, blandMessage, requestId } = this;
    return {
      name: this.name,
      message: this.message,
      kind,
      operation,
      retryable,
      status,
      retryAfterMs,
      blandMessage,
      requestId,
    };
  }
}

export interface Page {
  take?: number;
  skip?: number;
}
export interface LogPage extends Page {
  direction?: 'asc' | 'desc';
}

export const LOG_PAGE_SIZE = 100;
export const MAX_LOG_PAGES = 50;
const DEFAULT_TIMEOUT_MS = 15_000;
const REQUEST_ID_HEADERS = ['x-request-id', 'request-id', 'x-amzn-requestid', 'cf-ray'];
const MAX_SNIPPET = 300;

export class BlandClient {
  private readonly baseUrl: string;
  private readonly apiKey: string;
  private readonly encryptedKey?: string;
  private readonly timeoutMs: number;
  private readonly signal?: AbortSignal;

  constructor(options: BlandClientOptions) {
    if (!options.apiKey) throw new Error('BlandClient: apiKey is required');
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.apiKey = options.apiKey;
    if (options.encryptedKey) this.encryptedKey = options.encryptedKey;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (options.signal) this.signal = options.signal;
  }

  async createBatch(body: Record<string, unknown>): Promise<{ batch_id: string }> {
    const reply = await this.request('createBatch', 'POST', '/v2/batches/create', createBatchReplySchema, body);
    return { batch_id: reply.data.batch_id };
  }

  async getBatch(batchId: string): Promise<BatchRecord> {
    const path = `/v2/batches/${encodeURIComponent(batchId)}`;
    return (await this.request('getBatch', 'GET', path, getBatchReplySchema)).data;
  }

  async listBatches(page: Page = {}): Promise<BatchRecord[]> {
    const path = `/v2/batches/list${query(page)}`;
    return (await this.request('listBatches', 'GET', path, listBatchesReplySchema)).data;
  }

  async getLogs(batchId: string, page: LogPage = {}): Promise<BatchLogEntry[]> {
    const path = `/v2/batches/${encodeURIComponent(batchId)}/logs${query(page)}`;
    return (await this.request('getLogs', 'GET', path, batchLogsReplySchema)).data;
  }

  /**
   * Every log entry, oldest first: pages (asc) until a short page. Bounded to MAX_LOG_PAGES pages;
   * when a batch has more, the newest page (desc) is added so the final entries are never missed.
   */
  async getAllLogs(batchId: string): Promise<BatchLogEntry[]> {
    const all: BatchLogEntry[] = [];
    const seen = new Set<string>();
    const add = (entries: BatchLogEntry[]) => {
      for (const entry of entries) {
        const id = String(entry.id);
        if (seen.has(id)) continue;
        seen.add(id);
        all.push(entry);
      }
    };
    for (let pageNo = 0; pageNo < MAX_LOG_PAGES; pageNo++) {
      const page = await this.getLogs(batchId, { take: LOG_PAGE_SIZE, skip: pageNo * LOG_PAGE_SIZE, direction: 'asc' });
      add(page);
      // A short page is the last; a long one means the server ignored `take` and sent everything.
      if (page.length !== LOG_PAGE_SIZE) return all;
    }
    add((await this.getLogs(batchId, { take: LOG_PAGE_SIZE, skip: 0, direction: 'desc' })).reverse());
    return all;
  }

  async stopBatch(batchId: string): Promise<void> {
    // Documented reply: {"data":null,"errors":null}. Any 2xx means Bland accepted the stop.
    await this.request('stopBatch', 'POST', `/v2/batches/${encodeURIComponent(batchId)}/stop`, undefined, {});
  }

  private async request<S extends z.ZodType>(
    operation: string,
    method: 'GET' | 'POST',
    path: string,
    schema: S | undefined,
    body?: unknown,
  ): Promise<z.infer<S>> {
    const headers: Record<string, string> = { authorization: this.apiKey, accept: 'application/json' };
    if (this.encryptedKey) headers.encrypted_key = this.encryptedKey;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = this.signal ? AbortSignal.any([timeout, this.signal]) : timeout;
    const fail = (fields: Omit<BlandApiErrorFields, 'operation'>, detail: string) =>
      new BlandApiError(this.redact(`Bland ${operation} (${method} ${path}) failed: ${detail}`), {
        ...fields,
        operation,
      });

    let response: Response;
    let text: string;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
      text = await response.text();
    } catch (error) {
      if (timeout.aborted) {
        throw fail({ kind: 'timeout', retryable: true }, `no complete reply within ${this.timeoutMs} ms`);
      }
      if (this.signal?.aborted) throw fail({ kind: 'network', retryable: false }, 'request aborted by the caller');
      throw fail({ kind: 'network', retryable: true }, `network error: ${describeCause(error)}`);
    }

    const requestId = REQUEST_ID_HEADERS.map((h) => response.headers.get(h))
      .find((v) => v)
      ?.slice(0, 200);
    const parsed = parseJson(text);
    const ids = requestId ? { requestId: this.redact(requestId) } : {};
    const suffix = requestId ? ` (request id ${requestId})` : '';

    if (!response.ok) {
      const status = response.status;
      const retryable = status === 408 || status === 429 || status >= 500;
      const retryAfterMs = retryable ? parseRetryAfter(response.headers.get('retry-after')) : undefined;
      const blandMessage = this.redact(errorMessageOf(parsed, text) ?? response.statusText ?? '');
      const fields = { kind: 'http' as const, status, retryable, ...ids };
      if (blandMessage) Object.assign(fields, { blandMessage });
      if (retryAfterMs !== undefined) Object.assign(fields, { retryAfterMs });
      const after = retryAfterMs !== undefined ? ` (retry after ${retryAfterMs} ms)` : '';
      throw fail(fields, `HTTP ${status}${blandMessage ? `: ${blandMessage}` : ''}${after}${suffix}`);
    }

    if (!schema) return undefined as z.infer<S>;
    const result = schema.safeParse(parsed.ok ? parsed.value : undefined);
    if (result.success) return result.data;
    const blandMessage = blandMessageOf(parsed, text);
    const problem = !parsed.ok
      ? `a body that is not JSON: ${snippet(text)}`
      : blandMessage
        ? `an error body: ${blandMessage}`
        : `an unexpected body: ${result.error.issues
            .slice(0, 3)
            .map((i) => `${i.path.join('.') || '(body)'} ${i.message}`)
            .join('; ')}`;
    const fields = { kind: 'invalid_reply' as const, status: response.status, retryable: true, ...ids };
    if (blandMessage) Object.assign(fields, { blandMessage: this.redact(blandMessage) });
    throw fail(fields, `HTTP ${response.status} with ${problem}${suffix}`);
  }

  /** Removes the secrets from any text that might end up in an error (Bland may echo headers back). */
  private redact(text: string): string {
    let out = text;
    for (const secret of [this.apiKey, this.encryptedKey]) {
      if (secret && secret.length > 0) out = out.split(secret).join('[redacted]');
    }
    return out;
  }
}

function query(params: Page | LogPage): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params) as [string, unknown][]) {
    if (value !== undefined) search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

type Parsed = { ok: true; value: unknown } | { ok: false };

function parseJson(text: string): Parsed {
  if (text.trim() === '') return { ok: false };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** Bland's message from any of its error styles; otherwise a short snippet of the raw body. */
function errorMessageOf(parsed: Parsed, text: string): string | undefined {
  return blandMessageOf(parsed, text) ?? (text.trim() ? snippet(text) : undefined);
}

/** Bland's message when the body is one of its error styles. */
function blandMessageOf(parsed: Parsed, text: string): string | undefined {
  if (!parsed.ok || !blandErrorReplySchema.safeParse(parsed.value).success) return undefined;
  const reply = parsed.value as { error?: unknown; message?: unknown; status?: unknown; errors?: unknown };
  const str = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : undefined);
  const describe = (e: unknown): string | undefined => {
    if (typeof e === 'string') return e;
    if (typeof e !== 'object' || e === null) return undefined;
    const { error, message } = e as { error?: unknown; message?: unknown };
    const parts = [str(error), str(message)].filter((p) => p !== undefined);
    return parts.length > 0 ? parts.join(': ') : JSON.stringify(e);
  };
  const details = Array.isArray(reply.errors)
    ? reply.errors
        .map(describe)
        .filter((d) => d)
        .join('; ')
    : '';
  // v1 style {status:"error", message, errors}
  if (reply.status === 'error') {
    const message = str(reply.message) ?? 'error';
    return details ? `${message} (${details.slice(0, MAX_SNIPPET)})` : message;
  }
  // 401 style {error, message}
  if (str(reply.error)) return [str(reply.error), str(reply.message)].filter((p) => p).join(': ');
  // v2 envelope {data:null, errors:[{error,message}]}
  return details || snippet(text);
}

function snippet(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_SNIPPET ? `${flat.slice(0, MAX_SNIPPET)}…` : flat;
}

function describeCause(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 3; depth++) {
    const code = (current as { code?: unknown }).code;
    parts.push(typeof code === 'string' ? `${current.message} [${code}]` : current.message);
    current = current.cause;
  }
  return parts.join(': ') || String(error);
}

/** `Retry-After` as milliseconds from now: delta seconds or an HTTP date; undefined when absent or bad. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  if (!/[a-z]/i.test(trimmed)) return undefined;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

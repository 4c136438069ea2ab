import { z } from 'zod';
import { batchSubmissionSchema } from '../bland/options';
import { statusEventSchema } from '../bland/schemas';
import { cancelRequestSchema, IDEMPOTENCY_KEY, listQuerySchema } from '../client';
import {
  batchAcceptedSchema,
  batchDetailsSchema,
  batchPageSchema,
  cancelAcceptedSchema,
  errorSchema,
  healthSchema,
  webhookReplySchema,
} from './schemas';

/**
 * The OpenAPI 3.1 document, generated from the zod schemas that validate requests and describe
 * replies (z.toJSONSchema over the schemas' `.meta({ id })`): nothing here restates a body.
 * Request bodies are rendered as input (defaults optional), replies as output (defaults present);
 * a component that differs between the two gets an `Output` twin.
 */

type JsonSchema = Record<string, unknown>;
const REF = '#/components/schemas/';

const REQUEST_ROOTS = [batchSubmissionSchema, statusEventSchema, cancelRequestSchema];
const RESPONSE_ROOTS = [
  errorSchema,
  batchAcceptedSchema,
  batchDetailsSchema,
  batchPageSchema,
  cancelAcceptedSchema,
  webhookReplySchema,
  healthSchema,
];

function idOf(schema: z.ZodType): string {
  const id = z.globalRegistry.get(schema)?.id;
  if (!id) throw new Error('every OpenAPI root schema needs .meta({ id })');
  return id;
}

function convert(io: 'input' | 'output', rename: (id: string) => string = (id) => id): Record<string, JsonSchema> {
  const { schemas } = z.toJSONSchema(z.globalRegistry, {
    target: 'draft-2020-12',
    io,
    unrepresentable: 'any',
    uri: (id) => `${REF}${rename(id)}`,
  });
  const out: Record<string, JsonSchema> = {};
  for (const [id, schema] of Object.entries(schemas)) {
    const { $schema: _s, $id: _i, ...rest } = schema as JsonSchema;
    out[id] = rest;
  }
  return out;
}

/** The ids reachable from `roots` through `$ref`s (the global registry may hold unrelated schemas). */
function reachable(all: Record<string, JsonSchema>, roots: string[], rename: (id: string) => string): Set<string> {
  const byName = new Map(Object.keys(all).map((id) => [rename(id), id]));
  const seen = new Set<string>();
  const visit = (id: string) => {
    if (seen.has(id) || !all[id]) return;
    seen.add(id);
    for (const [, name] of JSON.stringify(all[id]).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)) {
      const target = byName.get(name as string);
      if (target) visit(target);
    }
  };
  for (const root of roots) visit(root);
  return seen;
}

function components(): Record<string, JsonSchema> {
  const requestIds = REQUEST_ROOTS.map(idOf);
  const responseIds = RESPONSE_ROOTS.map(idOf);
  const input = convert('input');
  const usedIn = reachable(input, requestIds, (id) => id);
  const firstOutput = convert('output');
  const usedOut = reachable(firstOutput, responseIds, (id) => id);
  const twins = new Set(
    [...usedOut].filter((id) => usedIn.has(id) && JSON.stringify(input[id]) !== JSON.stringify(firstOutput[id])),
  );
  const rename = (id: string) => (twins.has(id) ? `${id}Output` : id);
  const output = convert('output', rename);
  const result: Record<string, JsonSchema> = {};
  for (const id of usedIn) result[id] = input[id]!;
  for (const id of reachable(output, responseIds, rename)) result[rename(id)] = output[id]!;
  return result;
}

/** A parameter's schema, from the same zod schema the route validates with. */
function paramSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _s, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

const ref = (id: string) => ({ $ref: `${REF}${id}` });
const json = (id: string) => ({ content: { 'application/json': { schema: ref(id) } } });
const error = (description: string) => ({
  description,
  ...json('Error'),
  headers: { 'X-Request-Id': { $ref: '#/components/headers/X-Request-Id' } },
});

const idParam = (description: string) => ({
  name: 'id',
  in: 'path',
  required: true,
  description,
  schema: { type: 'string', minLength: 1 },
});

export function buildOpenApiDocument(options: { version?: string } = {}): Record<string, unknown> {
  const unauthorized = error('Missing or wrong bearer token (`unauthorized`).');
  const unavailable = error('Temporal unreachable or too slow (`temporal_unavailable`).');
  return {
    openapi: '3.1.0',
    info: {
      title: 'Bland batch orchestrator',
      version: options.version ?? '0.1.0',
      description:
        "Durable orchestration of Bland AI call batches on Temporal: one workflow per batch, fed by Bland's status webhooks. Errors always have the shape `{ error: { code, message, issues? } }`.",
    },
    security: [{ bearerAuth: [] }],
    tags: [{ name: 'batches' }, { name: 'webhooks' }, { name: 'operations' }],
    paths: {
      '/v1/batches': {
        post: {
          tags: ['batches'],
          operationId: 'startBatch',
          summary: 'Start a batch',
          parameters: [
            {
              name: 'Idempotency-Key',
              in: 'header',
              required: false,
              description:
                'Makes the workflow id `batch-<key>`. The same key with the same body returns the existing batch (200), even after it finished; with another body, 409.',
              schema: { type: 'string', pattern: IDEMPOTENCY_KEY.source },
            },
          ],
          requestBody: { required: true, ...json('BatchSubmission') },
          responses: {
            '202': { description: 'Batch workflow started.', ...json('BatchAccepted') },
            '200': {
              description: 'The Idempotency-Key names an existing batch with the same body.',
              ...json('BatchAccepted'),
            },
            '400': error(
              'Malformed JSON (`invalid_json`), invalid body (`invalid_request`, with `issues`) or Idempotency-Key (`invalid_idempotency_key`).',
            ),
            '401': unauthorized,
            '409': error('Idempotency-Key already used for a different body (`idempotency_key_reused`).'),
            '413': error('Body too large (`payload_too_large`).'),
            '503': unavailable,
          },
        },
        get: {
          tags: ['batches'],
          operationId: 'listBatches',
          summary: 'List batches (Temporal visibility)',
          parameters: [
            { name: 'status', in: 'query', required: false, schema: paramSchema(listQuerySchema.shape.status) },
            { name: 'limit', in: 'query', required: false, schema: paramSchema(listQuerySchema.shape.limit) },
            { name: 'cursor', in: 'query', required: false, schema: paramSchema(listQuerySchema.shape.cursor) },
          ],
          responses: {
            '200': { description: 'One page of batches.', ...json('BatchPage') },
            '400': error('Invalid status, limit or cursor (`invalid_query`).'),
            '401': unauthorized,
            '503': unavailable,
          },
        },
      },
      '/v1/batches/{id}': {
        get: {
          tags: ['batches'],
          operationId: 'getBatch',
          summary: 'Current state (running) or outcome (closed)',
          parameters: [idParam('Workflow id returned by startBatch.')],
          responses: {
            '200': { description: 'The batch.', ...json('BatchDetails') },
            '401': unauthorized,
            '404': error('Unknown id (`not_found`).'),
            '503': unavailable,
          },
        },
      },
      '/v1/batches/{id}/cancel': {
        post: {
          tags: ['batches'],
          operationId: 'cancelBatch',
          summary: 'Cancel a batch (stops it at Bland)',
          parameters: [idParam('Workflow id returned by startBatch.')],
          requestBody: { required: false, ...json('CancelRequest') },
          responses: {
            '202': { description: 'The workflow accepted the cancel request.', ...json('CancelAccepted') },
            '400': error('Invalid body (`invalid_json`, `invalid_request`).'),
            '401': unauthorized,
            '404': error('Unknown id (`not_found`).'),
            '409': error('The batch has already finished (`already_terminal`).'),
            '503': unavailable,
          },
        },
      },
      '/v1/webhooks/bland/{id}': {
        post: {
          tags: ['webhooks'],
          operationId: 'blandStatusWebhook',
          summary: "Bland's status webhook (the URL the orchestrator gives Bland as status_webhook)",
          security: [{ webhookToken: [] }, { webhookToken: [], blandSignature: [] }],
          parameters: [
            idParam('Workflow id the callback URL was made for.'),
            {
              name: 'token',
              in: 'query',
              required: true,
              description: 'HMAC of the workflow id (WEBHOOK_TOKEN_SECRET).',
              schema: { type: 'string' },
            },
            {
              name: 'X-Webhook-Signature',
              in: 'header',
              required: false,
              description: 'Hex HMAC-SHA256 of the body; required when BLAND_WEBHOOK_SECRET is set.',
              schema: { type: 'string' },
            },
          ],
          requestBody: { required: true, ...json('BlandStatusEvent') },
          responses: {
            '200': {
              description: 'Signal accepted by Temporal, or the batch had already closed.',
              ...json('WebhookReply'),
            },
            '400': error('Malformed JSON (`invalid_json`) or not a status event (`invalid_event`, with `issues`).'),
            '401': error('Wrong token (`invalid_token`) or signature (`invalid_signature`).'),
            '404': error('Unknown workflow (`not_found`).'),
            '413': error('Body too large (`payload_too_large`).'),
            '503': unavailable,
          },
        },
      },
      '/healthz': {
        get: {
          tags: ['operations'],
          operationId: 'healthz',
          security: [],
          responses: { '200': { description: 'The process is alive.', ...json('Health') } },
        },
      },
      '/readyz': {
        get: {
          tags: ['operations'],
          operationId: 'readyz',
          security: [],
          responses: {
            '200': { description: 'Temporal answers.', ...json('Health') },
            '503': unavailable,
          },
        },
      },
      '/metrics': {
        get: {
          tags: ['operations'],
          operationId: 'metrics',
          security: [],
          responses: {
            '200': {
              description: 'Prometheus text exposition.',
              content: { 'text/plain': { schema: { type: 'string' } } },
            },
          },
        },
      },
      '/openapi.json': {
        get: {
          tags: ['operations'],
          operationId: 'openapi',
          security: [],
          responses: {
            '200': { description: 'This document.', content: { 'application/json': { schema: { type: 'object' } } } },
          },
        },
      },
    },
    components: {
      schemas: components(),
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'One of API_TOKENS.' },
        webhookToken: { type: 'apiKey', in: 'query', name: 'token', description: 'HMAC of the workflow id.' },
        blandSignature: {
          type: 'apiKey',
          in: 'header',
          name: 'X-Webhook-Signature',
          description: "Bland's webhook signature.",
        },
      },
      headers: {
        'X-Request-Id': {
          description: 'The request id (the one sent, or a generated one).',
          schema: { type: 'string' },
        },
      },
    },
  };
}

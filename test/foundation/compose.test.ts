import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { configSchema } from '../../src/config';
import { SEARCH_ATTRIBUTES } from '../../src/dev/temporal-server';
import { ROOT } from './support';

/** docker-compose.yml, Dockerfile and .dockerignore checked statically (no Docker engine here). */

interface Service {
  image?: string;
  build?: { context?: string; dockerfile?: string } | string;
  command?: string[] | string;
  entrypoint?: string[] | string;
  environment?: Record<string, string>;
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] | string };
  restart?: string;
}

const compose = parse(readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
};
const services = compose.services;
const text = (value: string[] | string | undefined) => (Array.isArray(value) ? value.join(' ') : (value ?? ''));

/** Settings that only apply to a Temporal other than the one in this file (Temporal Cloud, mTLS). */
const NOT_FOR_BUNDLED_TEMPORAL = ['TEMPORAL_API_KEY', 'TEMPORAL_TLS_CERT_PATH', 'TEMPORAL_TLS_KEY_PATH'];

describe('docker-compose.yml', () => {
  it('has PostgreSQL, Temporal, the search-attribute job, the UI, the worker and the API', () => {
    expect(Object.keys(services).sort()).toEqual(
      ['api', 'postgresql', 'temporal', 'temporal-search-attributes', 'temporal-ui', 'worker'].sort(),
    );
    expect(services.postgresql?.image).toMatch(/^postgres:\d+/);
    expect(services.temporal?.image).toMatch(/^temporalio\/auto-setup:\d+\.\d+\.\d+$/);
    expect(services['temporal-search-attributes']?.image).toMatch(/^temporalio\/admin-tools:\d+\.\d+\.\d+/);
    expect(services['temporal-ui']?.image).toMatch(/^temporalio\/ui:\d+\.\d+\.\d+$/);
  });

  it('pins every image (no latest) and builds ours from the Dockerfile', () => {
    for (const [name, service] of Object.entries(services)) {
      if (service.image) expect(service.image, name).not.toMatch(/:latest$|^[^:]+$/);
      else expect(service.build, name).toBeDefined();
    }
    for (const name of ['worker', 'api']) {
      expect(services[name]?.build).toMatchObject({ context: '.', dockerfile: 'Dockerfile' });
    }
    expect(text(services.worker?.command)).toBe('node --import tsx src/worker.ts');
    expect(text(services.api?.command)).toBe('node --import tsx src/api.ts');
    expect(existsSync(path.join(ROOT, 'src/worker.ts'))).toBe(true);
    expect(existsSync(path.join(ROOT, 'src/api.ts'))).toBe(true);
  });

  it('publishes the API, the Temporal UI and Temporal gRPC on configurable host ports', () => {
    /** `${NAME:-default}:container`, as compose interpolates it. */
    const published = (name: string, fallback: number, container: number) => [`\${${name}:-${fallback}}:${container}`];
    expect(services.api?.ports).toEqual(published('PORT', 3000, 3000));
    expect(services['temporal-ui']?.ports).toEqual(published('TEMPORAL_UI_PORT', 8080, 8080));
    expect(services.temporal?.ports).toEqual(published('TEMPORAL_PORT', 7233, 7233));
  });

  it('depends only on services that exist, with conditions they can meet', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const [target, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect(services[target], `${name} depends on ${target}`).toBeDefined();
        if (condition === 'service_healthy')
          expect(services[target]?.healthcheck, `${target} healthcheck`).toBeDefined();
        else expect(condition, `${name} -> ${target}`).toBe('service_completed_successfully');
        if (condition === 'service_completed_successfully') expect(services[target]?.restart).toBe('no');
      }
    }
    for (const name of ['worker', 'api']) {
      expect(services[name]?.depends_on).toEqual({
        temporal: { condition: 'service_healthy' },
        'temporal-search-attributes': { condition: 'service_completed_successfully' },
      });
    }
    expect(services.temporal?.depends_on).toEqual({ postgresql: { condition: 'service_healthy' } });
  });

  it('registers the search attributes the workflow upserts, as Keyword', () => {
    const job = services['temporal-search-attributes']!;
    const script = text(job.command);
    expect(script).toContain('temporal operator search-attribute create');
    expect(script).toContain('--type Keyword');
    for (const [name, type] of Object.entries(SEARCH_ATTRIBUTES)) {
      expect(type).toBe('Keyword');
      expect(script).toContain(name);
    }
    // Shell variables are escaped from compose interpolation.
    expect(script).not.toMatch(/(^|[^$])\$[A-Za-z{]/);
  });

  it('passes every setting of src/config.ts to the worker and the API', () => {
    const needed = Object.keys(configSchema.shape).filter((name) => !NOT_FOR_BUNDLED_TEMPORAL.includes(name));
    for (const name of ['worker', 'api']) {
      const env = services[name]?.environment ?? {};
      expect(
        needed.filter((key) => !(key in env)),
        name,
      ).toEqual([]);
      expect(env.TEMPORAL_ADDRESS).toBe('temporal:7233');
      expect(env.TEMPORAL_TLS).toBe('false');
      expect(env.PORT).toBe('3000');
    }
  });

  it('takes secrets from the host, requiring WEBHOOK_TOKEN_SECRET and BLAND_API_KEY', () => {
    const env = services.worker?.environment ?? {};
    expect(env.WEBHOOK_TOKEN_SECRET).toMatch(/^\$\{WEBHOOK_TOKEN_SECRET:\?.+\}$/);
    expect(env.BLAND_API_KEY).toMatch(/^\$\{BLAND_API_KEY:\?.+\}$/);
    for (const name of ['BLAND_ENCRYPTED_KEY', 'BLAND_WEBHOOK_SECRET', 'CALLER_WEBHOOK_SECRET', 'API_TOKENS']) {
      expect(env[name]).toBe(`\${${name}:-}`);
    }
  });

  it('has healthchecks for the services others wait on, and the API', () => {
    expect(text(services.postgresql?.healthcheck?.test)).toContain('pg_isready');
    expect(text(services.temporal?.healthcheck?.test)).toContain('temporal operator cluster health');
    expect(text(services.api?.healthcheck?.test)).toContain('/readyz');
  });
});

describe('Dockerfile and .dockerignore', () => {
  const dockerfile = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
  const ignore = readFileSync(path.join(ROOT, '.dockerignore'), 'utf8').split('\n');

  it('builds on Node 20 with npm ci and runs TypeScript with tsx (no build step)', () => {
    expect(dockerfile).toMatch(/^FROM node:20\b/m);
    expect(dockerfile).toMatch(/^RUN npm ci --omit=dev\b/m);
    expect(dockerfile).toMatch(/^COPY package\.json package-lock\.json \.\/$/m);
    expect(dockerfile).toMatch(/^COPY src \.\/src$/m);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^CMD \["node", "--import", "tsx", "src\/api\.ts"\]$/m);
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    // --omit=dev: what runs in the image must be a production dependency.
    expect(Object.keys(pkg.dependencies)).toEqual(expect.arrayContaining(['tsx', 'pino', '@temporalio/worker']));
  });

  it('keeps local state and installs out of the build context', () => {
    for (const entry of ['node_modules', '.data', '.git', '.env']) expect(ignore).toContain(entry);
  });
});

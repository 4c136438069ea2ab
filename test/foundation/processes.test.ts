import { describe, expect, inject, it } from 'vitest';
import { cleanEnv, runEntry, spawnProcess, withTimeout } from './support';

/** The production entries as real processes: settings errors are one line, shutdown is clean. */

const SECRET = 'test-webhook-secret-0123456789';
const BLAND_KEY = 'sk-test-bland-key-never-logged';

async function oneLineFailure(entry: string, env: Record<string, string>) {
  const run = runEntry(entry, cleanEnv(env));
  const { code } = await withTimeout(run.exited, 30_000, `${entry} with a bad setting`);
  const lines = run.stderr().trim().split('\n');
  return { code, lines, stdout: run.stdout() };
}

describe('npm run worker (src/worker.ts)', () => {
  it('PORT=abc: prints one line naming PORT and exits non-zero', async () => {
    const { code, lines, stdout } = await oneLineFailure('src/worker.ts', { PORT: 'abc' });
    expect(code).not.toBe(0);
    expect(lines).toEqual(['Invalid setting PORT: expected a port number (1-65535) (got "abc")']);
    expect(stdout).toBe('');
  });

  it('without BLAND_API_KEY: one line naming it', async () => {
    const { code, lines } = await oneLineFailure('src/worker.ts', { WEBHOOK_TOKEN_SECRET: SECRET });
    expect(code).not.toBe(0);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Missing setting BLAND_API_KEY: /);
  });

  it('without WEBHOOK_TOKEN_SECRET: one line naming it', async () => {
    const { code, lines } = await oneLineFailure('src/worker.ts', { BLAND_API_KEY: BLAND_KEY });
    expect(code).not.toBe(0);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Missing setting WEBHOOK_TOKEN_SECRET: /);
  });

  it('a short secret is named, never echoed', async () => {
    const { code, lines } = await oneLineFailure('src/worker.ts', { WEBHOOK_TOKEN_SECRET: 'tiny-secret' });
    expect(code).not.toBe(0);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Invalid setting WEBHOOK_TOKEN_SECRET: /);
    expect(lines[0]).not.toContain('tiny-secret');
  });

  it('the same through npm run worker (npm adds only its "> script" header on stdout)', async () => {
    const run = spawnProcess('npm', ['run', 'worker'], cleanEnv({ PORT: 'abc' }));
    const { code } = await withTimeout(run.exited, 30_000, 'npm run worker');
    expect(code).not.toBe(0);
    expect(run.stderr().trim().split('\n')).toEqual([
      'Invalid setting PORT: expected a port number (1-65535) (got "abc")',
    ]);
  });

  it('runs against Temporal, logs JSON lines without secrets, and drains on SIGTERM', async () => {
    const run = runEntry(
      'src/worker.ts',
      cleanEnv({
        TEMPORAL_ADDRESS: inject('temporalAddress'),
        TEMPORAL_TASK_QUEUE: `foundation-worker-${process.pid}`,
        BLAND_API_KEY: BLAND_KEY,
        BLAND_API_URL: 'http://127.0.0.1:9',
        WEBHOOK_TOKEN_SECRET: SECRET,
      }),
    );
    try {
      await run.waitForOutput(/"state":"RUNNING"/, 45_000);
      expect(run.stdout()).toMatch(/CALLER_WEBHOOK_SECRET is unset/);
      const t0 = Date.now();
      run.child.kill('SIGTERM');
      const { code } = await withTimeout(run.exited, 15_000, 'worker shutdown');
      expect(code).toBe(0);
      expect(Date.now() - t0).toBeLessThan(10_000);
      expect(run.stdout()).toMatch(/"state":"STOPPED"/);
      const lines = run.stdout().trim().split('\n');
      for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
      const all = run.stdout() + run.stderr();
      expect(all).not.toContain(SECRET);
      expect(all).not.toContain(BLAND_KEY);
    } finally {
      run.child.kill('SIGKILL');
    }
  });

  it('an unreachable Temporal: one line and a non-zero exit', async () => {
    const { code, lines } = await oneLineFailure('src/worker.ts', {
      TEMPORAL_ADDRESS: '127.0.0.1:1',
      BLAND_API_KEY: BLAND_KEY,
      WEBHOOK_TOKEN_SECRET: SECRET,
      LOG_LEVEL: 'error',
    });
    expect(code).not.toBe(0);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Cannot connect to Temporal at 127\.0\.0\.1:1: /);
  });
});

describe('npm run api (src/api.ts)', () => {
  it('PORT=abc: prints one line naming PORT and exits non-zero', async () => {
    const { code, lines, stdout } = await oneLineFailure('src/api.ts', { PORT: 'abc' });
    expect(code).not.toBe(0);
    expect(lines).toEqual(['Invalid setting PORT: expected a port number (1-65535) (got "abc")']);
    expect(stdout).toBe('');
  });
});

import net from 'node:net';
import { describe, expect, inject, it } from 'vitest';
import { freePort } from '../../src/dev/temporal-server';
import { cleanEnv, runEntry, type Spawned, withTimeout } from '../foundation/support';

/** `npm run api` (src/api.ts) as a real process: start-up refusals, readiness, graceful shutdown. */

const TOKEN = 'entry-api-token-00000001';
const SECRET = 'entry-webhook-token-secret';

async function failure(env: Record<string, string>) {
  const run = runEntry('src/api.ts', cleanEnv(env));
  const { code } = await withTimeout(run.exited, 30_000, 'api with a bad setting');
  return { code, lines: run.stderr().trim().split('\n'), stdout: run.stdout() };
}

async function stop(run: Spawned): Promise<number | null> {
  run.child.kill('SIGTERM');
  const { code } = await withTimeout(run.exited, 15_000, 'api shutdown');
  return code;
}

describe('npm run api', () => {
  it('refuses to start without API_TOKENS (one line, non-zero) unless API_AUTH=disabled', async () => {
    const { code, lines, stdout } = await failure({ WEBHOOK_TOKEN_SECRET: SECRET });
    expect(code).not.toBe(0);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Missing setting API_TOKENS: .*API_AUTH=disabled/);
    expect(stdout).toBe('');
  });

  it('refuses to start without WEBHOOK_TOKEN_SECRET (it checks the webhook tokens)', async () => {
    const { code, lines } = await failure({ API_TOKENS: TOKEN });
    expect(code).not.toBe(0);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Missing setting WEBHOOK_TOKEN_SECRET: /);
  });

  it('half an mTLS setting: one line naming it', async () => {
    const { code, lines } = await failure({
      API_TOKENS: TOKEN,
      WEBHOOK_TOKEN_SECRET: SECRET,
      TEMPORAL_TLS_CERT_PATH: '/nonexistent/client.pem',
    });
    expect(code).not.toBe(0);
    expect(lines).toEqual(['Invalid setting TEMPORAL_TLS_CERT_PATH: set it together with TEMPORAL_TLS_KEY_PATH']);
  });

  it('a port in use: one clear line and a non-zero exit', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '0.0.0.0', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const { code, lines } = await failure({ API_TOKENS: TOKEN, WEBHOOK_TOKEN_SECRET: SECRET, PORT: String(port) });
      expect(code).not.toBe(0);
      expect(lines).toEqual([`Port ${port} is already in use: stop what uses it or set PORT to another port`]);
    } finally {
      blocker.close();
    }
  });

  it('starts before Temporal (readyz 503, healthz 200), warns loudly when auth is disabled, stops on SIGTERM', async () => {
    const port = await freePort();
    const run = runEntry(
      'src/api.ts',
      cleanEnv({
        API_AUTH: 'disabled',
        WEBHOOK_TOKEN_SECRET: SECRET,
        PORT: String(port),
        TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}`,
      }),
    );
    try {
      await run.waitForOutput(/API listening/, 30_000);
      expect(run.stdout()).toMatch(/"level":"warn".*API_AUTH=disabled.*WITHOUT authentication/);
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(503);
      await run.waitForOutput(/Temporal not reachable yet/, 10_000);
      expect(await stop(run)).toBe(0);
    } finally {
      run.child.kill('SIGKILL');
    }
  });

  it('serves against Temporal: readyz 200, authenticated submit, JSON logs without the token; SIGTERM exits 0', async () => {
    const port = await freePort();
    const run = runEntry(
      'src/api.ts',
      cleanEnv({
        API_TOKENS: TOKEN,
        WEBHOOK_TOKEN_SECRET: SECRET,
        PORT: String(port),
        TEMPORAL_ADDRESS: inject('temporalAddress'),
        TEMPORAL_TASK_QUEUE: `api-entry-${process.pid}`,
      }),
    );
    try {
      await run.waitForOutput(/Temporal reachable/, 30_000);
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
      const unauthorized = await fetch(`http://127.0.0.1:${port}/v1/batches`);
      expect(unauthorized.status).toBe(401);
      const res = await fetch(`http://127.0.0.1:${port}/v1/batches`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ call_objects: [{ phone_number: '+14155550199' }], global: { task: 'Hello.' } }),
      });
      expect(res.status).toBe(202);
      const { id } = (await res.json()) as { id: string };
      const t0 = Date.now();
      expect(await stop(run)).toBe(0);
      expect(Date.now() - t0).toBeLessThan(10_000);
      const out = run.stdout();
      for (const line of out.trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
      expect(out).toContain('batch started');
      expect(out + run.stderr()).not.toContain(TOKEN);
      expect(out + run.stderr()).not.toContain(SECRET);
      expect(out + run.stderr()).not.toContain('14155550199');
      // Leave nothing running on the shared server.
      const { Client, Connection } = await import('@temporalio/client');
      const connection = await Connection.connect({ address: inject('temporalAddress') });
      await new Client({ connection }).workflow.getHandle(id).terminate('entry test done');
      await connection.close();
    } finally {
      run.child.kill('SIGKILL');
    }
  });
});

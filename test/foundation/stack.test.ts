import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/dev/temporal-server';
import { cleanEnv, isAlive, type Spawned, spawnProcess, withTimeout } from './support';

/**
 * `npm start` end to end: the stack comes up with its own Temporal dev server, simulator, worker
 * and API; a second start finds the state of the first; every way of stopping it leaves no process.
 */

const dataDir = mkdtempSync(path.join(tmpdir(), 'stack-test-'));
const started: Spawned[] = [];
afterAll(() => {
  // Only if a test failed half-way: take down whatever it left, by process group.
  for (const run of started) {
    for (const pid of pidsOf(run)) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {}
    }
    if (run.child.pid) {
      try {
        process.kill(-run.child.pid, 'SIGKILL');
      } catch {}
    }
  }
  rmSync(dataDir, { recursive: true, force: true });
});

/** Four distinct free ports (the OS may hand out a just-released one twice). */
async function ports() {
  const picked = new Set<number>();
  while (picked.size < 4) picked.add(await freePort());
  const [api, temporal, ui, sim] = [...picked] as [number, number, number, number];
  return { api, temporal, ui, sim };
}
type Ports = Awaited<ReturnType<typeof ports>>;

function startStack(p: Ports, extra: Record<string, string> = {}): Spawned {
  // As `npm start` runs it (node --import tsx), in its own process group like a terminal's foreground job.
  const run = spawnProcess(
    process.execPath,
    ['--import', 'tsx', 'src/dev/stack.ts'],
    cleanEnv({
      PORT: String(p.api),
      TEMPORAL_PORT: String(p.temporal),
      TEMPORAL_UI_PORT: String(p.ui),
      SIM_PORT: String(p.sim),
      DATA_DIR: dataDir,
      ...extra,
    }),
    { detached: true },
  );
  started.push(run);
  return run;
}

/** The pids the stack announces: Temporal dev server, worker, API. */
function pidsOf(run: Spawned): number[] {
  return [...run.stdout().matchAll(/\(pid (\d+)\)/g)].map((m) => Number(m[1]));
}

async function expectAllGone(run: Spawned): Promise<void> {
  const pids = [run.child.pid!, ...pidsOf(run)];
  const deadline = Date.now() + 5_000;
  while (pids.some(isAlive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  expect(pids.filter(isAlive)).toEqual([]);
}

async function get(url: string): Promise<{ status: number; body: string }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  return { status: res.status, body: await res.text() };
}

describe('npm start (src/dev/stack.ts)', () => {
  let p: Ports;

  it('comes up within 60 s: /readyz 200, the Temporal UI, the simulator banner; Ctrl-C stops everything', async () => {
    p = await ports();
    const run = startStack(p);
    const t0 = Date.now();
    await run.waitForOutput(/Ctrl-C stops everything/, 60_000);
    const startup = Date.now() - t0;
    expect(startup).toBeLessThan(60_000);

    expect(await get(`http://127.0.0.1:${p.api}/readyz`)).toMatchObject({ status: 200 });
    const ui = await get(`http://127.0.0.1:${p.ui}/`);
    expect(ui.status).toBe(200);
    expect(ui.body).toMatch(/<html/i);
    expect(run.stdout()).toContain(`API           http://localhost:${p.api}`);
    expect(run.stdout()).toContain(`Temporal UI   http://localhost:${p.ui}`);
    expect(run.stderr()).toMatch(/BLAND_API_KEY is not set: running against the built-in Bland SIMULATOR/);
    expect(run.stderr()).toMatch(/the HTTP API is OPEN/);
    expect(pidsOf(run)).toHaveLength(3);

    // Leave a workflow behind (on a queue nobody polls) for the next start to find.
    const connection = await Connection.connect({ address: `127.0.0.1:${p.temporal}` });
    try {
      await new Client({ connection }).workflow.start('parked', {
        taskQueue: 'nobody-polls-this',
        workflowId: 'stack-test-persisted',
      });
    } finally {
      await connection.close();
    }

    // Ctrl-C in a terminal: SIGINT to the whole foreground process group.
    const t1 = Date.now();
    process.kill(-run.child.pid!, 'SIGINT');
    await withTimeout(run.exited, 20_000, 'stack shutdown after SIGINT');
    expect(Date.now() - t1).toBeLessThan(20_000);
    expect(run.stdout()).toMatch(/\[stack\] stopped in/);
    await expectAllGone(run);
    console.info(`npm start: ready in ${startup} ms, stopped ${Date.now() - t1} ms after SIGINT`);
  }, 90_000);

  it('a second start finds the state of the first and the same dev secrets; SIGTERM stops it', async () => {
    const secretsFile = path.join(dataDir, 'dev-secrets.json');
    const secretsBefore = readFileSync(secretsFile, 'utf8');
    expect(statSync(secretsFile).mode & 0o777).toBe(0o600);

    const run = startStack(p);
    await run.waitForOutput(/Ctrl-C stops everything/, 60_000);
    const connection = await Connection.connect({ address: `127.0.0.1:${p.temporal}` });
    try {
      const described = await new Client({ connection }).workflow.getHandle('stack-test-persisted').describe();
      expect(described.status.name).toBe('RUNNING');
    } finally {
      await connection.close();
    }
    expect(readFileSync(secretsFile, 'utf8')).toBe(secretsBefore);

    // `kill <pid>` of the npm start process alone (no process group): it relays and stops everything.
    process.kill(run.child.pid!, 'SIGTERM');
    await withTimeout(run.exited, 20_000, 'stack shutdown after SIGTERM');
    await expectAllGone(run);
  }, 90_000);

  it('stops everything with a clear message when a child dies', async () => {
    const run = startStack(p);
    await run.waitForOutput(/Ctrl-C stops everything/, 60_000);
    const worker = Number(/worker started \(pid (\d+)\)/.exec(run.stdout())?.[1]);
    process.kill(worker, 'SIGKILL');
    const { code } = await withTimeout(run.exited, 20_000, 'stack shutdown after a child died');
    expect(code).not.toBe(0);
    expect(run.stderr()).toMatch(/the worker exited unexpectedly \(SIGKILL\): stopping the stack/);
    await expectAllGone(run);
  }, 90_000);

  it('a port in use: one line naming it, nothing started', async () => {
    const q = await ports();
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(q.api, '127.0.0.1', resolve));
    try {
      const run = startStack(q);
      const { code } = await withTimeout(run.exited, 30_000, 'stack with a busy port');
      expect(code).not.toBe(0);
      expect(run.stderr().trim().split('\n')).toEqual([
        `Port ${q.api} (API, PORT) is already in use: stop what uses it or choose another port`,
      ]);
      expect(pidsOf(run)).toEqual([]);
    } finally {
      blocker.close();
    }
  });

  it('a bad port setting: one line naming it', async () => {
    const run = startStack(await ports(), { TEMPORAL_PORT: 'abc' });
    const { code } = await withTimeout(run.exited, 30_000, 'stack with a bad setting');
    expect(code).not.toBe(0);
    expect(run.stderr().trim().split('\n')).toEqual([
      'Invalid setting TEMPORAL_PORT: expected a port number (1-65535) (got "abc")',
    ]);
  });
});

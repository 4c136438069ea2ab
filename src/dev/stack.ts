import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { Connection } from '@temporalio/client';
import { z } from 'zod';
import { ConfigError, parseConfig, parseEnv } from '../config';
import { startBlandSimulator } from './bland-simulator';
import { DevSecretsError, loadDevSecrets } from './dev-secrets';
import { TemporalCliError } from './temporal-cli';
import { assertPortFree, type DevServer, startDevServer } from './temporal-server';

/**
 * `npm start`: the whole stack on one machine. A Temporal dev server that keeps its state in
 * DATA_DIR/temporal.db, dev secrets generated once into DATA_DIR/dev-secrets.json, the Bland
 * simulator when BLAND_API_KEY is unset, and the worker and API as child processes, each in its
 * own process group so that stopping the stack leaves nothing behind.
 */

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
const SIM_API_KEY = 'sim-key';
const READY_TIMEOUT_MS = 120_000;
const CHILD_STOP_TIMEOUT_MS = 10_000;

const port = z.coerce
  .number({ error: 'expected a port number (1-65535)' })
  .int('expected a whole port number (1-65535)')
  .min(1, 'expected a port number (1-65535)')
  .max(65535, 'expected a port number (1-65535)');

const stackSchema = z.object({
  PORT: port.default(3000),
  TEMPORAL_PORT: port.default(7233),
  TEMPORAL_UI_PORT: port.default(8233),
  SIM_PORT: port.default(4010),
  DATA_DIR: z.string().min(1).optional(),
});

export interface StackSettings {
  apiPort: number;
  temporalPort: number;
  uiPort: number;
  simPort: number;
  /** Absolute. */
  dataDir: string;
  /** No BLAND_API_KEY: run against the simulator. */
  simulator: boolean;
}

/** The stack's own settings (ports, data directory); one-line ConfigError like config.ts. */
export function parseStackSettings(env: NodeJS.ProcessEnv, cwd = process.cwd()): StackSettings {
  const s = parseEnv(stackSchema, env);
  const settings: StackSettings = {
    apiPort: s.PORT,
    temporalPort: s.TEMPORAL_PORT,
    uiPort: s.TEMPORAL_UI_PORT,
    simPort: s.SIM_PORT,
    dataDir: s.DATA_DIR ? path.resolve(cwd, s.DATA_DIR) : path.join(REPO_ROOT, '.data'),
    simulator: !env.BLAND_API_KEY,
  };
  const ports: [string, number][] = [
    ['PORT', settings.apiPort],
    ['TEMPORAL_PORT', settings.temporalPort],
    ['TEMPORAL_UI_PORT', settings.uiPort],
  ];
  if (settings.simulator) ports.push(['SIM_PORT', settings.simPort]);
  for (const [i, [name, value]] of ports.entries()) {
    const clash = ports.slice(0, i).find(([, other]) => other === value);
    if (clash) throw new ConfigError(`Invalid setting ${name}: port ${value} is already given to ${clash[0]}`);
  }
  return settings;
}

/** The environment of the worker and API children: the caller's, pointed at the local stack. */
export function childEnvironment(
  env: NodeJS.ProcessEnv,
  settings: StackSettings,
  secrets: { WEBHOOK_TOKEN_SECRET: string; CALLER_WEBHOOK_SECRET: string; BLAND_WEBHOOK_SECRET: string },
): NodeJS.ProcessEnv {
  const given = (name: string) => (env[name] ? env[name] : undefined);
  const child: NodeJS.ProcessEnv = {
    ...env,
    PORT: String(settings.apiPort),
    TEMPORAL_ADDRESS: `127.0.0.1:${settings.temporalPort}`,
    TEMPORAL_TLS: 'false',
    TEMPORAL_UI_URL: `http://localhost:${settings.uiPort}`,
    WEBHOOK_TOKEN_SECRET: given('WEBHOOK_TOKEN_SECRET') ?? secrets.WEBHOOK_TOKEN_SECRET,
    CALLER_WEBHOOK_SECRET: given('CALLER_WEBHOOK_SECRET') ?? secrets.CALLER_WEBHOOK_SECRET,
  };
  // The local dev server speaks plain gRPC without auth.
  delete child.TEMPORAL_API_KEY;
  delete child.TEMPORAL_TLS_CERT_PATH;
  delete child.TEMPORAL_TLS_KEY_PATH;
  if (settings.simulator) {
    child.BLAND_API_URL = `http://127.0.0.1:${settings.simPort}`;
    child.BLAND_API_KEY = SIM_API_KEY;
    // The simulator signs its webhooks like Bland does, so the API's signature check runs too.
    child.BLAND_WEBHOOK_SECRET = given('BLAND_WEBHOOK_SECRET') ?? secrets.BLAND_WEBHOOK_SECRET;
    delete child.BLAND_ENCRYPTED_KEY;
  }
  if (!given('API_TOKENS')) {
    // An open API in front of the real Bland lets anyone who reaches the port place calls.
    if (!settings.simulator) {
      throw new ConfigError(
        'Missing setting API_TOKENS: with a real BLAND_API_KEY the API needs bearer tokens (npm start leaves it open only with the simulator)',
      );
    }
    child.API_AUTH = 'disabled';
  }
  return child;
}

type Out = (line: string) => void;
const say: Out = (line) => process.stdout.write(`[stack] ${line}\n`);
const shout: Out = (line) => process.stderr.write(`[stack] ${line}\n`);

class ManagedChild {
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private done = false;

  constructor(
    readonly name: string,
    readonly process: ChildProcess,
  ) {
    this.exited = new Promise((resolve) =>
      process.once('exit', (code, signal) => {
        this.done = true;
        resolve({ code, signal });
      }),
    );
  }

  get running(): boolean {
    return !this.done;
  }

  /** Signals the child's whole process group (it leads one: spawned with `detached`). */
  signal(signal: NodeJS.Signals): void {
    const pid = this.process.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // ESRCH: the group is already gone.
    }
  }

  async stop(timeoutMs = CHILD_STOP_TIMEOUT_MS): Promise<void> {
    if (this.running) {
      this.signal('SIGTERM');
      const timer = setTimeout(() => this.signal('SIGKILL'), timeoutMs);
      await this.exited;
      clearTimeout(timer);
    }
    // Anything the child left in its group goes with it.
    this.signal('SIGKILL');
  }
}

function pipeLines(from: Readable | null, to: Writable, tag: string): void {
  if (!from) return;
  readline.createInterface({ input: from, crlfDelay: Number.POSITIVE_INFINITY }).on('line', (line) => {
    to.write(`${tag} ${line}\n`);
  });
}

function startChild(name: string, entry: string, env: NodeJS.ProcessEnv): ManagedChild {
  // `node --import tsx` runs the TypeScript entry in this one process (the tsx CLI would add a
  // second); `detached` gives it its own process group, which stop() signals as a whole.
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const tag = `[${name}]`.padEnd(8);
  pipeLines(child.stdout, process.stdout, tag);
  pipeLines(child.stderr, process.stderr, tag);
  return new ManagedChild(name, child);
}

async function waitFor(what: string, deadline: number, probe: () => Promise<boolean>): Promise<void> {
  for (;;) {
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what} did not become ready within ${READY_TIMEOUT_MS / 1000} s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function httpOk(url: string, check?: (body: string) => boolean): Promise<boolean> {
  const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
  const body = await res.text();
  return res.ok && (check ? check(body) : true);
}

async function hasWorkflowPoller(address: string, namespace: string, taskQueue: string): Promise<boolean> {
  const connection = await Connection.connect({ address, connectTimeout: 2_000 });
  try {
    const reply = await connection.workflowService.describeTaskQueue({
      namespace,
      taskQueue: { name: taskQueue },
      taskQueueType: 1, // TASK_QUEUE_TYPE_WORKFLOW
    });
    return (reply.pollers ?? []).length > 0;
  } finally {
    await connection.close();
  }
}

function banner(lines: string[]): void {
  const rule = '─'.repeat(78);
  process.stdout.write(`\n${rule}\n${lines.join('\n')}\n${rule}\n\n`);
}

function loud(lines: string[]): void {
  const rule = '!'.repeat(78);
  process.stderr.write(`\n${rule}\n${lines.map((l) => `!! ${l}`).join('\n')}\n${rule}\n\n`);
}

async function main(): Promise<void> {
  const startedAt = Date.now();
  const env = process.env;

  let settings: StackSettings;
  let childEnv: NodeJS.ProcessEnv;
  let config: ReturnType<typeof parseConfig>;
  try {
    settings = parseStackSettings(env);
    const secrets = loadDevSecrets(path.join(settings.dataDir, 'dev-secrets.json'));
    childEnv = childEnvironment(env, settings, secrets);
    config = parseConfig(childEnv); // every setting the children will read, checked before anything starts
  } catch (err) {
    if (err instanceof ConfigError || err instanceof DevSecretsError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }

  const children: ManagedChild[] = [];
  let devServer: DevServer | undefined;
  let simulator: { url: string; close(): Promise<void> | void } | undefined;
  let stopping: Promise<never> | undefined;
  let firstSignalAt = 0;

  const stopAll = (code: number, why?: string): Promise<never> => {
    if (stopping) return stopping;
    stopping = (async () => {
      const t0 = Date.now();
      if (why) shout(why);
      say('stopping the worker and the API…');
      await Promise.all(children.map((c) => c.stop()));
      // Each step runs even when the one before it failed: nothing may be left running.
      await Promise.resolve(simulator?.close()).catch((err) => shout(`Bland simulator: ${(err as Error).message}`));
      if (devServer) {
        say('stopping the Temporal dev server…');
        await devServer.stop().catch((err) => shout(`Temporal dev server: ${(err as Error).message}`));
      }
      say(`stopped in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      process.exit(code);
    })();
    return stopping;
  };

  const onSignal = (signal: NodeJS.Signals) => {
    // One Ctrl-C can arrive twice (the terminal, then npm or tsx relaying it): only a second
    // signal a moment later means "stop now".
    if (stopping && Date.now() - firstSignalAt > 1_000) {
      shout(`${signal} again: killing everything now`);
      for (const c of children) c.signal('SIGKILL');
      devServer?.process.kill('SIGKILL');
      process.exit(130);
    }
    if (!stopping) firstSignalAt = Date.now();
    void stopAll(signal === 'SIGINT' ? 130 : 143);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
  // Last resort when this process dies of an error: no child may outlive it.
  process.on('exit', () => {
    for (const c of children) if (c.running) c.signal('SIGKILL');
    if (devServer && devServer.process.exitCode === null) devServer.process.kill('SIGKILL');
  });
  const fail = (line: string) => stopAll(1, line);

  try {
    await assertPortFree(settings.apiPort, 'API, PORT');
    if (settings.simulator) await assertPortFree(settings.simPort, 'Bland simulator, SIM_PORT');
    await assertPortFree(settings.temporalPort, 'Temporal gRPC, TEMPORAL_PORT');
    await assertPortFree(settings.uiPort, 'Temporal UI, TEMPORAL_UI_PORT');
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(1);
  }

  const dbFile = path.join(settings.dataDir, 'temporal.db');
  const shownDb = path.relative(process.cwd(), dbFile);
  say(`starting the Temporal dev server (state in ${shownDb.startsWith('..') ? dbFile : shownDb})…`);
  try {
    devServer = await startDevServer({
      port: settings.temporalPort,
      uiPort: settings.uiPort,
      dbFile,
      namespace: config.TEMPORAL_NAMESPACE,
      output: 'ignore',
    });
  } catch (err) {
    const message = err instanceof TemporalCliError ? err.message : `Temporal dev server: ${(err as Error).message}`;
    return fail(message);
  }
  if (stopping) return stopping;
  say(`Temporal dev server on ${devServer.address} (pid ${devServer.process.pid})`);
  devServer.process.once('exit', (code, signal) => {
    if (!stopping) void fail(`the Temporal dev server exited unexpectedly (${signal ?? `code ${code}`}): stopping`);
  });

  if (settings.simulator) {
    loud([
      'BLAND_API_KEY is not set: running against the built-in Bland SIMULATOR.',
      `No real phone calls are placed. Simulated Bland API: http://127.0.0.1:${settings.simPort}`,
      'Set BLAND_API_KEY (and PUBLIC_URL, reachable by Bland) to use the real Bland.',
    ]);
    try {
      simulator = await startBlandSimulator({
        port: settings.simPort,
        host: '127.0.0.1',
        apiKey: SIM_API_KEY,
        webhookSecret: childEnv.BLAND_WEBHOOK_SECRET,
        log: (line: string) => process.stdout.write(`[sim]    ${line}\n`),
      });
    } catch (err) {
      return fail(`Bland simulator: ${(err as Error).message}`);
    }
  } else if (/^https?:\/\/(localhost|127\.|\[::1\])/.test(config.PUBLIC_URL)) {
    shout(
      `PUBLIC_URL is ${config.PUBLIC_URL}: Bland cannot deliver webhooks there, so batches advance only by reconciliation. Set PUBLIC_URL to a public URL (e.g. a tunnel) that reaches port ${settings.apiPort}.`,
    );
  }
  if (childEnv.API_AUTH === 'disabled') {
    loud([
      'API_TOKENS is not set: the HTTP API is OPEN (API_AUTH=disabled for this local stack).',
      'Anyone who can reach the port can start and cancel batches. Set API_TOKENS to require a bearer token.',
    ]);
  }
  if (stopping) return stopping;

  for (const [name, entry] of [
    ['worker', 'src/worker.ts'],
    ['api', 'src/api.ts'],
  ] as const) {
    const child = startChild(name, entry, childEnv);
    children.push(child);
    say(`${name} started (pid ${child.process.pid})`);
    void child.exited.then(({ code, signal }) => {
      if (!stopping) void fail(`the ${name} exited unexpectedly (${signal ?? `code ${code}`}): stopping the stack`);
    });
  }

  const apiUrl = `http://localhost:${settings.apiPort}`;
  const uiUrl = devServer.uiUrl ?? `http://localhost:${settings.uiPort}`;
  const deadline = Date.now() + READY_TIMEOUT_MS;
  try {
    await Promise.all([
      waitFor('the API (/readyz)', deadline, () => httpOk(`http://127.0.0.1:${settings.apiPort}/readyz`)),
      waitFor('the Temporal UI', deadline, () =>
        httpOk(`http://127.0.0.1:${settings.uiPort}/`, (body) => /<html/i.test(body)),
      ),
      waitFor('the worker', deadline, () =>
        hasWorkflowPoller(devServer!.address, config.TEMPORAL_NAMESPACE, config.TEMPORAL_TASK_QUEUE),
      ),
    ]);
  } catch (err) {
    if (stopping) return stopping;
    return fail(`${(err as Error).message}: stopping`);
  }
  if (stopping) return stopping;

  const auth = childEnv.API_AUTH === 'disabled' ? '' : ` -H "Authorization: Bearer $API_TOKEN"`;
  banner([
    ` Bland batch orchestrator: local stack ready in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`,
    '',
    `   API           ${apiUrl}${childEnv.API_AUTH === 'disabled' ? '   (OPEN: no API_TOKENS)' : '   (bearer token from API_TOKENS)'}`,
    `   Temporal UI   ${uiUrl}`,
    `   Temporal      ${devServer.address}, namespace ${config.TEMPORAL_NAMESPACE}, task queue ${config.TEMPORAL_TASK_QUEUE}`,
    `   Bland         ${settings.simulator ? `SIMULATOR at ${simulator?.url ?? childEnv.BLAND_API_URL} (no real calls)` : config.BLAND_API_URL}`,
    `   Data          ${settings.dataDir}`,
    '',
    ' Start a batch:',
    `   curl -s -X POST ${apiUrl}/v1/batches${auth} \\`,
    `     -H 'content-type: application/json' -H 'Idempotency-Key: hello-1' \\`,
    `     -d '{"call_objects":[{"phone_number":"+15555550123"}],"global":{"task":"Say hello and hang up."}}'`,
    ` Follow it:  curl -s ${apiUrl}/v1/batches/batch-hello-1${auth}`,
    '',
    ' Ctrl-C stops everything.',
  ]);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`npm start failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}

import path from 'node:path';
import type { Duration, LogLevel } from '@temporalio/common';
import { DefaultLogger, NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import { type Activities, createActivities } from './activities';
import { BlandClient } from './bland/client';
import { type Config, ConfigError, loadConfigOrExit, requireWebhookTokenSecret } from './config';
import { createLogger } from './logger';
import { temporalConnectionOptions } from './temporal-connection';

export const WORKFLOWS_PATH = path.join(__dirname, 'workflows', 'index.ts');

export interface BatchWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: Activities;
  /** A prebuilt bundle (tests build one per run); otherwise the workflows are bundled at start. */
  workflowBundle?: { code: string };
  identity?: string;
  /** How long running activities may finish after a shutdown request before they are cancelled. */
  shutdownGraceTime?: Duration;
}

/** The worker that runs batch workflows and their activities; shared by the process and the tests. */
export async function createBatchWorker(options: BatchWorkerOptions): Promise<Worker> {
  const workflows: Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'> = options.workflowBundle
    ? { workflowBundle: options.workflowBundle }
    : { workflowsPath: WORKFLOWS_PATH };
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: options.activities,
    // An explicit `identity: undefined` would replace the SDK's default (pid@host) and fail.
    ...(options.identity === undefined ? {} : { identity: options.identity }),
    ...(options.shutdownGraceTime === undefined ? {} : { shutdownGraceTime: options.shutdownGraceTime }),
    ...workflows,
  });
}

/** Everything the worker process needs beyond the shared settings; one-line ConfigError otherwise. */
export function requireBlandApiKey(config: Config): string {
  if (!config.BLAND_API_KEY) {
    throw new ConfigError(
      'Missing setting BLAND_API_KEY: the worker calls Bland with it (npm start runs a simulator when it is unset)',
    );
  }
  return config.BLAND_API_KEY;
}

const TEMPORAL_LEVEL: Record<Config['LOG_LEVEL'], LogLevel> = {
  trace: 'TRACE',
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARN',
  error: 'ERROR',
  fatal: 'ERROR',
  silent: 'ERROR',
};

const PINO_LEVEL: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/** The worker process: `npm run worker`. Stops cleanly on SIGINT/SIGTERM (the SDK's shutdownSignals). */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  // The API's logger: JSON lines with secrets, webhook tokens and phone numbers scrubbed.
  const logger = createLogger({ name: 'worker', level: config.LOG_LEVEL });

  let blandApiKey: string;
  let webhookTokenSecret: string;
  let connectionOptions: ReturnType<typeof temporalConnectionOptions>;
  try {
    blandApiKey = requireBlandApiKey(config);
    webhookTokenSecret = requireWebhookTokenSecret(config);
    connectionOptions = temporalConnectionOptions(config);
  } catch (err) {
    if (err instanceof ConfigError) exitWithLine(err.message, 2);
    throw err;
  }

  // Everything the SDK logs (worker lifecycle, workflow and activity loggers, Rust core) goes
  // through pino as one JSON line each.
  Runtime.install({
    logger: new DefaultLogger(TEMPORAL_LEVEL[config.LOG_LEVEL], (entry) => {
      const { sdkComponent, ...meta } = entry.meta ?? {};
      logger[PINO_LEVEL[entry.level]]({ component: sdkComponent, ...meta }, entry.message);
    }),
    telemetryOptions: { logging: { forward: { level: 'WARN' } } },
  });

  if (!config.CALLER_WEBHOOK_SECRET) {
    logger.warn(
      'CALLER_WEBHOOK_SECRET is unset: events forwarded to callers’ status_webhook URLs are sent without an X-Signature',
    );
  }

  let connection: NativeConnection;
  try {
    connection = await NativeConnection.connect(connectionOptions);
  } catch (err) {
    exitWithLine(`Cannot connect to Temporal at ${config.TEMPORAL_ADDRESS}: ${(err as Error).message}`, 1);
  }

  try {
    const bland = new BlandClient({
      baseUrl: config.BLAND_API_URL,
      apiKey: blandApiKey,
      encryptedKey: config.BLAND_ENCRYPTED_KEY,
      timeoutMs: config.BLAND_REQUEST_TIMEOUT_MS,
    });
    const activities = createActivities({
      bland,
      publicUrl: config.PUBLIC_URL,
      webhookTokenSecret,
      callerWebhookSecret: config.CALLER_WEBHOOK_SECRET,
    });
    const worker = await createBatchWorker({
      connection,
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      activities,
      shutdownGraceTime: '5s',
    });
    logger.info(
      {
        temporal: config.TEMPORAL_ADDRESS,
        namespace: config.TEMPORAL_NAMESPACE,
        taskQueue: config.TEMPORAL_TASK_QUEUE,
        bland: config.BLAND_API_URL,
        publicUrl: config.PUBLIC_URL,
      },
      'worker started',
    );
    // Resolves once a shutdown signal has drained the worker.
    await worker.run();
    logger.info('worker stopped');
  } finally {
    await connection.close();
  }
}

function exitWithLine(line: string, code: number): never {
  process.stderr.write(`${line}\n`);
  process.exit(code);
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`worker failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}

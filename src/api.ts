import { createApp } from './api/app';
import { listen, type RunningServer } from './api/serve';
import { BatchClient } from './client';
import { type Config, ConfigError, loadConfigOrExit, requireWebhookTokenSecret } from './config';
import { createLogger } from './logger';

/**
 * `npm run api`: the HTTP API process. It starts even when Temporal is not up yet (the
 * connection is lazy and reconnects by itself; /readyz tells when it answers), refuses to start
 * without API tokens unless auth is explicitly disabled, and shuts down gracefully.
 */

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

/** The settings problems that stop the API before it listens; one line each. */
export function apiStartupProblem(config: Config): string | undefined {
  if (config.API_AUTH !== 'disabled' && config.API_TOKENS.length === 0) {
    return 'Missing setting API_TOKENS: set comma-separated bearer tokens (16+ characters each), or API_AUTH=disabled to run without authentication';
  }
  try {
    requireWebhookTokenSecret(config);
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  return undefined;
}

export async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const problem = apiStartupProblem(config);
  if (problem) fail(problem);

  const logger = createLogger({ level: config.LOG_LEVEL });
  if (config.API_AUTH === 'disabled') {
    logger.warn(
      '!!! API_AUTH=disabled: /v1/batches accepts requests WITHOUT authentication. Never run this way where anyone else can reach the port. !!!',
    );
  }

  let batches: BatchClient;
  try {
    batches = BatchClient.fromConfig(config);
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message);
    throw err;
  }
  const app = createApp({ config, batches, logger });

  let running: RunningServer;
  try {
    running = await listen(app, { port: config.PORT });
  } catch (err) {
    await batches.close().catch(() => {});
    fail((err as Error).message);
  }
  logger.info(
    { port: running.port, temporal: config.TEMPORAL_ADDRESS, namespace: config.TEMPORAL_NAMESPACE },
    'API listening',
  );

  // Say when Temporal becomes reachable (or that it is not yet); requests work as soon as it is.
  let stopping = false;
  void (async () => {
    let warned = false;
    for (let delay = 1_000; !stopping; delay = Math.min(delay * 2, 30_000)) {
      if (await batches.ready(2_000)) {
        logger.info({ temporal: config.TEMPORAL_ADDRESS }, 'Temporal reachable');
        return;
      }
      if (!warned) logger.warn({ temporal: config.TEMPORAL_ADDRESS }, 'Temporal not reachable yet; retrying');
      warned = true;
      await new Promise((resolve) => setTimeout(resolve, delay).unref());
    }
  })();

  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      logger.error('graceful shutdown took too long; exiting');
      process.exit(1);
    }, 10_000);
    force.unref();
    void running
      .close()
      .then(() => batches.close())
      .then(
        () => {
          logger.info('stopped');
          process.exit(0);
        },
        (err) => {
          logger.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`API failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}

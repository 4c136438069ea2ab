import { bundleWorkflowCode } from '@temporalio/worker';
import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { type DevServer, startDevServer } from '../../src/dev/temporal-server';
import { WORKFLOWS_PATH } from '../../src/worker';

/**
 * One real Temporal dev server and one workflow bundle for the whole run (bundling takes seconds;
 * every test file would otherwise pay it). Tests reach them through `inject(...)`.
 */
let server: DevServer | undefined;

/** Low, so that a test can drive a batch into continue-as-new with a few hundred events. */
export const SUGGEST_CONTINUE_AS_NEW_AT = 400;

export async function setup(project: TestProject): Promise<void> {
  const [started, bundle] = await Promise.all([
    startDevServer({
      uiPort: false,
      dynamicConfig: { 'limit.historyCount.suggestContinueAsNew': SUGGEST_CONTINUE_AS_NEW_AT },
    }),
    bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietLogger }),
  ]);
  server = started;
  project.provide('temporalAddress', server.address);
  project.provide('workflowBundle', bundle.code);
}

export async function teardown(): Promise<void> {
  await server?.stop();
}

const quietLogger = {
  log() {},
  trace() {},
  debug() {},
  info() {},
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
};

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    workflowBundle: string;
  }
}

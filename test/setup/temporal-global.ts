import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { type DevServer, startDevServer } from '../../src/dev/temporal-server';

/** One real Temporal dev server for the whole run; tests reach it through `inject('temporalAddress')`. */
let server: DevServer | undefined;

export async function setup(project: TestProject): Promise<void> {
  server = await startDevServer({ uiPort: false });
  project.provide('temporalAddress', server.address);
}

export async function teardown(): Promise<void> {
  await server?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
  }
}

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { describe, expect, inject, it } from 'vitest';
import { HISTORIES_DIR } from '../support/histories';
import { quietRuntime } from '../support/temporal';

/**
 * Every recorded history must replay against today's workflow code: a change that would break
 * batches already running in production fails here, not in front of an operator.
 */
quietRuntime();
const files = readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('.binpb'));

describe('replay of recorded histories', () => {
  it('has recorded histories to replay', () => {
    expect(files.length).toBeGreaterThanOrEqual(8);
  });

  it.each(files)('%s replays without nondeterminism', async (file) => {
    const history = temporal.api.history.v1.History.decode(readFileSync(path.join(HISTORIES_DIR, file)));
    const results = Worker.runReplayHistories({ workflowBundle: { code: inject('workflowBundle') } }, [
      { workflowId: path.basename(file, '.binpb'), history },
    ]);
    for await (const result of results) expect(result.error).toBeUndefined();
  });
});

import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

export const HISTORIES_DIR = path.join(__dirname, '..', 'fixtures', 'histories');

/**
 * With RECORD_HISTORIES=1 (`npm run record-histories`), saves the finished workflow's history
 * as a fixture that the replay test runs against the current workflow code from then on. An
 * existing fixture is never overwritten: it stands for runs of an older shape that must still
 * replay. Record a new shape of a scenario by deleting the file knowingly, or as a new name.
 */
export async function recordHistory(handle: WorkflowHandle, name: string): Promise<void> {
  if (process.env.RECORD_HISTORIES !== '1') return;
  const file = path.join(HISTORIES_DIR, `${name}.binpb`);
  if (existsSync(file)) return;
  const history = await handle.fetchHistory();
  mkdirSync(HISTORIES_DIR, { recursive: true });
  // Binary protobuf: exact, and independent of the JSON mapping's quirks across SDK versions.
  writeFileSync(file, temporal.api.history.v1.History.encode(history).finish());
}

import { randomUUID } from 'node:crypto';
import { SimBatch } from './batch';
import { FaultStore } from './faults';
import { Timers } from './timers';
import type { Faults, SimBatchSummary, SimulatorOptions } from './types';
import type { CreatePlan } from './validate';

export type ResolvedOptions = Required<Omit<SimulatorOptions, 'webhookSecret'>> & { webhookSecret?: string };

export function resolveOptions(options: SimulatorOptions = {}): ResolvedOptions {
  const stepMs = options.stepMs ?? 1000;
  const resolved: ResolvedOptions = {
    port: options.port ?? 0,
    host: options.host ?? '127.0.0.1',
    apiKey: options.apiKey ?? 'sim-key',
    stepMs,
    chunkSize: Math.max(1, options.chunkSize ?? 50),
    callMs: options.callMs ?? stepMs,
    stopSendsFinal: options.stopSendsFinal ?? true,
    log: options.log ?? (() => {}),
  };
  if (options.webhookSecret) resolved.webhookSecret = options.webhookSecret;
  return resolved;
}

/** Everything the simulator remembers: batches (in creation order), faults and create counters. */
export class SimState {
  readonly faults = new FaultStore();
  readonly timers = new Timers();
  private readonly batchesById = new Map<string, SimBatch>();
  private readonly createCallsByMarker = new Map<string, number>();
  private createCallsTotal = 0;
  private logId = 0;
  private abort = new AbortController();

  constructor(readonly options: ResolvedOptions) {}

  countCreateCall(marker: string | undefined): void {
    this.createCallsTotal++;
    if (marker !== undefined) this.createCallsByMarker.set(marker, (this.createCallsByMarker.get(marker) ?? 0) + 1);
  }

  createCalls(marker?: string): number {
    return marker === undefined ? this.createCallsTotal : (this.createCallsByMarker.get(marker) ?? 0);
  }

  /** Records a new batch; its lifecycle starts with `batch.start()` once the reply is on its way. */
  addBatch(plan: CreatePlan): SimBatch {
    const { stepMs, callMs, chunkSize, stopSendsFinal, webhookSecret, log } = this.options;
    const batch = new SimBatch(randomUUID(), plan, {
      stepMs,
      callMs,
      chunkSize,
      stopSendsFinal,
      ...(webhookSecret ? { webhookSecret } : {}),
      timers: this.timers,
      signal: this.abort.signal,
      webhookFaults: (marker) => this.faults.webhooks(marker),
      nextLogId: () => ++this.logId,
      log,
    });
    this.batchesById.set(batch.id, batch);
    log(`created ${batch.id}: ${plan.calls.length} calls${plan.marker ? `, marker ${plan.marker}` : ''}`);
    return batch;
  }

  get(batchId: string): SimBatch | undefined {
    return this.batchesById.get(batchId);
  }

  /** Newest first. */
  newestFirst(): SimBatch[] {
    return [...this.batchesById.values()].reverse();
  }

  summaries(): SimBatchSummary[] {
    return [...this.batchesById.values()].map((b) => b.summary());
  }

  setFaults(faults: Faults, marker?: string): void {
    this.faults.set(faults, marker);
  }

  /** Forgets every batch, fault and counter; pending timers and webhooks are cancelled. */
  reset(): void {
    for (const batch of this.batchesById.values()) batch.dispose();
    this.batchesById.clear();
    this.createCallsByMarker.clear();
    this.createCallsTotal = 0;
    this.faults.reset();
    this.timers.clearAll();
    this.abort.abort();
    this.abort = new AbortController();
  }
}

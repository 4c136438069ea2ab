import type { CreateFault, Faults, WebhookFaults } from './types';

/** Faults set globally, or for the batches whose workflow marker matches (which then win). */
export class FaultStore {
  private global: Faults = {};
  private readonly byMarker = new Map<string, Faults>();

  set(faults: Faults, marker?: string): void {
    const copy = structuredClone(faults);
    if (marker === undefined) this.global = copy;
    else this.byMarker.set(marker, copy);
  }

  private select(marker: string | undefined): Faults {
    return (marker !== undefined ? this.byMarker.get(marker) : undefined) ?? this.global;
  }

  /** Consumes the first create fault queued for this marker (or globally). */
  takeCreateFault(marker: string | undefined): CreateFault | undefined {
    return this.select(marker).create?.shift();
  }

  webhooks(marker: string | undefined): WebhookFaults {
    return this.select(marker).webhooks ?? {};
  }

  reset(): void {
    this.global = {};
    this.byMarker.clear();
  }
}

import {
  ActivityFailure,
  CancellationScope,
  condition,
  isCancellation,
  log,
  TimeoutFailure,
} from '@temporalio/workflow';
import type { ForwardedEvent } from './messages';

type Notify = (input: { url: string; event: ForwardedEvent }) => Promise<void>;

export interface Forwarder {
  readonly failed: number;
  /** Forwards everything queued, then stops: the batch is over. */
  drain(): Promise<void>;
  /**
   * Stops now, abandoning the forward in flight (it stays first in the outbox): for
   * continue-as-new, whose next run sends it again under the same Idempotency-Key.
   */
  pause(): Promise<void>;
}

/**
 * Sends the outbox to the caller's webhook in order, one event at a time, beside the batch's own
 * story so that a slow or dead caller never holds the batch up. `outbox` is shared and mutated:
 * the workflow appends, the forwarder removes what it has delivered (or given up on).
 */
export function startForwarder(
  url: string | undefined,
  outbox: ForwardedEvent[],
  notify: Notify,
  alreadyFailed = 0,
): Forwarder {
  let mode: 'running' | 'drain' | 'pause' = 'running';
  // A function, not the variable: drain()/pause() change it while the loop awaits.
  const currentMode = () => mode;
  let inFlight: CancellationScope | undefined;
  let failed = alreadyFailed;
  /** The caller stayed unreachable for a whole retry window: later events are not attempted. */
  let unreachable = false;

  const done = (async () => {
    if (!url) return;
    for (;;) {
      await condition(() => currentMode() !== 'running' || outbox.length > 0);
      if (currentMode() === 'pause') return;
      const next = outbox[0];
      if (!next) return;
      if (unreachable) {
        failed++;
        outbox.shift();
        continue;
      }
      const scope = new CancellationScope();
      inFlight = scope;
      try {
        await scope.run(() => notify({ url, event: next }));
      } catch (err) {
        if (isCancellation(err) && currentMode() === 'pause') return;
        failed++;
        unreachable = err instanceof ActivityFailure && err.cause instanceof TimeoutFailure;
        log.warn('gave up forwarding an event to the caller webhook', {
          key: next.key,
          unreachable,
          error: String(err),
        });
      } finally {
        inFlight = undefined;
      }
      outbox.shift();
    }
  })();

  return {
    get failed() {
      return failed;
    },
    drain() {
      if (mode === 'running') mode = 'drain';
      return done;
    },
    pause() {
      mode = 'pause';
      inFlight?.cancel();
      return done;
    },
  };
}

/** setTimeout that can all be cleared at once, so a closed simulator keeps nothing alive. */
export class Timers {
  private readonly live = new Set<NodeJS.Timeout>();

  after(ms: number, fn: () => void): NodeJS.Timeout {
    const handle = setTimeout(
      () => {
        this.live.delete(handle);
        fn();
      },
      Math.max(0, ms),
    );
    handle.unref();
    this.live.add(handle);
    return handle;
  }

  /** Resolves after `ms`, or never when the timers are cleared first. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.after(ms, resolve));
  }

  cancel(handle: NodeJS.Timeout | undefined): void {
    if (!handle) return;
    clearTimeout(handle);
    this.live.delete(handle);
  }

  clearAll(): void {
    for (const handle of this.live) clearTimeout(handle);
    this.live.clear();
  }
}

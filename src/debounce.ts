/**
 * Run only the last of a burst of calls, `delayMs` after the burst ends, and abort the
 * previous call's work (its AbortSignal) as soon as a new call arrives.
 */
export class Debouncer {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private controller: AbortController | null = null;
  private pendingResolve: ((value: null) => void) | null = null;

  constructor(public delayMs: number) {}

  /**
   * Resolve with `work(signal)`'s result, or with null when a newer call replaced this
   * one before it started. A started call is aborted through its signal.
   */
  run<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T | null> {
    this.cancel();
    return new Promise<T | null>((resolve, reject) => {
      this.pendingResolve = resolve;
      this.timer = setTimeout(() => {
        this.timer = null;
        this.pendingResolve = null;
        const controller = new AbortController();
        this.controller = controller;
        work(controller.signal).then(resolve, reject);
      }, this.delayMs);
    });
  }

  /** Drop the waiting call (it resolves with null) and abort the running one. */
  cancel(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    this.pendingResolve?.(null);
    this.pendingResolve = null;
    this.controller?.abort();
    this.controller = null;
  }
}

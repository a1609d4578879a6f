/** Text that grows as tokens arrive; readers wait for each change. */
export class GrowingText {
  text = '';
  done = false;
  interactionId: string | null = null;
  private wake: (() => void) | null = null;

  append(text: string): void {
    this.text += text;
    this.notify();
  }

  finish(text?: string): void {
    if (text !== undefined) {
      this.text = text;
    }
    this.done = true;
    this.notify();
  }

  /** Resolves at the next change (or at once when finished). */
  changed(): Promise<void> {
    return this.done
      ? Promise.resolve()
      : new Promise(resolve => (this.wake = resolve));
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}

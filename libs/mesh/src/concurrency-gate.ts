interface Waiter {
  admit(): void;
  timer: NodeJS.Timeout;
}

/**
 * At most `limit` calls run at once; up to `queueLimit` more wait their turn in arrival order, each no longer than
 * its deadline. A burst is absorbed instead of refused, while a slow dependency still cannot pile up unbounded work.
 */
export class ConcurrencyGate {
  private running = 0;
  private readonly waiting: Waiter[] = [];

  constructor(
    private readonly limit: number,
    private readonly queueLimit: number,
  ) {}

  /** Resolves with the call's release once it may run, or null when the queue is full or its deadline passed while waiting. */
  enter(deadline: number): Promise<(() => void) | null> {
    if (this.running < this.limit) return Promise.resolve(this.admitted());
    const waitMs = deadline - Date.now();
    if (this.waiting.length >= this.queueLimit || waitMs <= 0) return Promise.resolve(null);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        admit: () => {
          clearTimeout(waiter.timer);
          resolve(this.admitted());
        },
        timer: setTimeout(() => {
          this.waiting.splice(this.waiting.indexOf(waiter), 1);
          resolve(null);
        }, waitMs),
      };
      this.waiting.push(waiter);
    });
  }

  get active(): number {
    return this.running;
  }

  private admitted(): () => void {
    this.running++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.running--;
      this.waiting.shift()?.admit();
    };
  }
}

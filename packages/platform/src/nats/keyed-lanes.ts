/**
 * Runs work in lanes, one lane per key: items of one key run one batch at a time in
 * the order they were pushed; different keys run in parallel, at most `concurrency`
 * lanes at once. A lane that is free takes everything queued for its key (up to
 * `maxBatch`) in one call, so a busy key is handled in batches, not one by one.
 * Lanes take turns: after a batch, a key with more work goes to the back of the line.
 * A lane that only waits (`rest`: a known retry delay) gives its slot to another key
 * meanwhile and keeps its key, so one key's wait never stalls the others.
 */
export class KeyedLanes<T> {
  private readonly queues = new Map<string, T[]>();
  private readonly running = new Set<string>();
  /** Running lanes that are resting (they hold their key, not a slot). */
  private resting = 0;
  /** Rested lanes waiting for a slot to go on; served before new keys start. */
  private readonly resuming: (() => void)[] = [];
  private readonly ready: string[] = [];
  private held = 0;
  private readonly roomWaiters: { limit: number; resolve: () => void }[] = [];
  private readonly idleWaiters: (() => void)[] = [];

  constructor(
    private readonly opts: {
      concurrency: number;
      maxBatch: number;
      /** Must not reject; errors are the caller's to handle inside run. */
      run: (key: string, items: T[], lane: Lane) => Promise<void>;
    },
  ) {}

  /** Items queued or running. */
  size(): number {
    return this.held;
  }

  push(key: string, item: T): void {
    this.held++;
    const queue = this.queues.get(key);
    if (queue) {
      queue.push(item);
    } else {
      this.queues.set(key, [item]);
      if (!this.running.has(key)) this.ready.push(key);
    }
    this.pump();
  }

  /** Resolves once fewer than `limit` items are held. */
  room(limit: number): Promise<void> {
    if (this.held < limit) return Promise.resolve();
    return new Promise((resolve) => this.roomWaiters.push({ limit, resolve }));
  }

  /** Resolves once nothing is queued or running. */
  idle(): Promise<void> {
    if (this.held === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Removes and returns every queued (not yet started) item. */
  drainQueued(): T[] {
    const out: T[] = [];
    for (const key of this.ready.splice(0)) {
      const queue = this.queues.get(key) ?? [];
      this.queues.delete(key);
      out.push(...queue);
    }
    for (const [key, queue] of this.queues) {
      out.push(...queue);
      this.queues.delete(key);
    }
    this.held -= out.length;
    this.settle();
    return out;
  }

  private active(): number {
    return this.running.size - this.resting;
  }

  /** Waits for `wait` without holding a slot, then for a slot (ahead of keys not started yet). */
  private async rest<R>(wait: Promise<R>): Promise<R> {
    this.resting++;
    this.pump();
    let value: R;
    try {
      value = await wait;
    } finally {
      if (this.active() < this.opts.concurrency && this.resuming.length === 0) this.resting--;
      else await new Promise<void>((resolve) => this.resuming.push(resolve));
    }
    return value;
  }

  private pump(): void {
    while (this.resuming.length > 0 && this.active() < this.opts.concurrency) {
      this.resting--;
      (this.resuming.shift() as () => void)();
    }
    while (this.active() < this.opts.concurrency && this.ready.length > 0) {
      const key = this.ready.shift() as string;
      const queue = this.queues.get(key);
      if (!queue?.length) {
        this.queues.delete(key);
        continue;
      }
      const batch = queue.splice(0, this.opts.maxBatch);
      if (!queue.length) this.queues.delete(key);
      this.running.add(key);
      void this.opts.run(key, batch, this.lane).finally(() => {
        this.running.delete(key);
        this.held -= batch.length;
        if (this.queues.get(key)?.length) this.ready.push(key);
        this.settle();
        this.pump();
      });
    }
  }

  private readonly lane: Lane = { rest: (wait) => this.rest(wait) };

  private settle(): void {
    for (let i = this.roomWaiters.length - 1; i >= 0; i--) {
      const w = this.roomWaiters[i] as { limit: number; resolve: () => void };
      if (this.held < w.limit) {
        this.roomWaiters.splice(i, 1);
        w.resolve();
      }
    }
    if (this.held === 0) this.idleWaiters.splice(0).forEach((r) => r());
  }
}

/** What a running lane may do besides working. */
export interface Lane {
  /** Waits for `wait` without holding a concurrency slot; the key stays this lane's. */
  rest<R>(wait: Promise<R>): Promise<R>;
}

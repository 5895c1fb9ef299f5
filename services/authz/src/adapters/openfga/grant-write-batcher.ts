import type { TupleKey } from '@openfga/sdk';

interface Pending<T> {
  item: T;
  tuples: TupleKey[];
  resolve: () => void;
  reject: (err: unknown) => void;
}

const tupleKey = (t: TupleKey) => `${t.user}|${t.relation}|${t.object}`;
const statusOf = (err: unknown) => (err as { statusCode?: number }).statusCode;

/**
 * Group commit for grant writes: while one OpenFGA Write is in flight, grants
 * queue and go together in the next Write (at most `maxTuples` tuples, OpenFGA's
 * limit per request). Identical tuples in a batch are sent once; a second grant
 * for the same grantee tuple waits for the next batch. If a batched Write is
 * refused (409: a grantee tuple exists with another window; 400: one bad grant),
 * each grant is written on its own, which replaces or fails just that grant.
 */
export class GrantWriteBatcher<T> {
  private readonly queue: Pending<T>[] = [];
  private running = false;

  constructor(
    private readonly writeMany: (tuples: TupleKey[]) => Promise<void>,
    private readonly writeOne: (item: T) => Promise<void>,
    private readonly maxTuples = 100,
  ) {}

  write(item: T, tuples: TupleKey[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, tuples, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length > 0) await this.writeBatch(this.takeBatch());
    } finally {
      this.running = false;
    }
  }

  private takeBatch(): { batch: Pending<T>[]; tuples: TupleKey[] } {
    const batch: Pending<T>[] = [];
    const tuples = new Map<string, TupleKey>();
    for (let next = this.queue[0]; next; next = this.queue[0]) {
      const fresh = next.tuples.filter((t) => !tuples.has(tupleKey(t)));
      // A tuple already in the batch with a condition may differ in it: next batch.
      const clash = next.tuples.some((t) => t.condition && tuples.has(tupleKey(t)));
      if (batch.length > 0 && (clash || tuples.size + fresh.length > this.maxTuples)) break;
      fresh.forEach((t) => tuples.set(tupleKey(t), t));
      batch.push(next);
      this.queue.shift();
    }
    return { batch, tuples: [...tuples.values()] };
  }

  private async writeBatch({ batch, tuples }: { batch: Pending<T>[]; tuples: TupleKey[] }): Promise<void> {
    const [only] = batch;
    if (only && batch.length === 1) return this.settle(only);
    try {
      await this.writeMany(tuples);
      batch.forEach((p) => p.resolve());
    } catch (err) {
      const status = statusOf(err);
      if (status === 409 || status === 400) await Promise.all(batch.map((p) => this.settle(p)));
      else batch.forEach((p) => p.reject(err));
    }
  }

  private async settle(p: Pending<T>): Promise<void> {
    try {
      await this.writeOne(p.item);
      p.resolve();
    } catch (err) {
      p.reject(err);
    }
  }
}

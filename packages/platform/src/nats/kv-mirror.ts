import type { KV, KvEntry } from '@nats-io/kv';
import type { Logger } from 'pino';

/**
 * An in-memory mirror of a JetStream KV bucket, kept current by one watcher.
 * Hot paths that need "all entries under a prefix" (e.g. a tenant's webhook
 * endpoints on every event) read the mirror instead of listing keys, which
 * costs the server an ephemeral consumer per call. Writes through `put`/`create`
 * wait until the mirror has seen them, so a replica reads its own writes;
 * other replicas' writes arrive as fast as the watcher delivers them.
 */
export class KvMirror<T> {
  private readonly entries = new Map<string, T>();
  private seen = 0;
  private readonly waiters = new Set<{ revision: number; resolve: () => void }>();
  private stopped = false;

  private constructor(
    private readonly kv: KV,
    private readonly decode: (entry: KvEntry) => T,
  ) {}

  static async start<T>(kv: KV, decode: (entry: KvEntry) => T, logger: Logger): Promise<KvMirror<T>> {
    const mirror = new KvMirror(kv, decode);
    const initialRevision = (await kv.status()).streamInfo.state.last_seq;
    const watch = await kv.watch();
    const loop = (async () => {
      for await (const e of watch) {
        if (e.operation === 'PUT') mirror.entries.set(e.key, decode(e));
        else mirror.entries.delete(e.key);
        mirror.advance(e.revision);
      }
    })().catch((err: unknown) => {
      if (!mirror.stopped) logger.error({ err }, 'kv mirror watcher ended');
    });
    mirror.stopFn = async () => {
      mirror.stopped = true;
      watch.stop();
      await loop;
    };
    await mirror.waitFor(initialRevision, 30_000);
    return mirror;
  }

  private stopFn: () => Promise<void> = async () => undefined;

  private advance(revision: number): void {
    this.seen = Math.max(this.seen, revision);
    for (const w of this.waiters) {
      if (this.seen >= w.revision) {
        this.waiters.delete(w);
        w.resolve();
      }
    }
  }

  /** Resolves once the mirror reflects `revision` (or rejects after timeoutMs). */
  waitFor(revision: number, timeoutMs = 5_000): Promise<void> {
    if (this.seen >= revision) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const w = { revision, resolve: () => (clearTimeout(timer), resolve()) };
      const timer = setTimeout(() => {
        this.waiters.delete(w);
        reject(new Error(`kv mirror did not reach revision ${revision} in ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.add(w);
    });
  }

  get(key: string): T | undefined {
    return this.entries.get(key);
  }

  /** Entries whose key starts with `prefix`, in key order. */
  withPrefix(prefix: string): T[] {
    return [...this.entries.entries()]
      .filter(([k]) => k.startsWith(prefix))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, v]) => v);
  }

  async put(key: string, value: string): Promise<void> {
    await this.waitFor(await this.kv.put(key, value));
  }

  /** Creates the key; throws (from the server) if it already exists. */
  async create(key: string, value: string): Promise<void> {
    await this.waitFor(await this.kv.create(key, value));
  }

  stop(): Promise<void> {
    return this.stopFn();
  }
}

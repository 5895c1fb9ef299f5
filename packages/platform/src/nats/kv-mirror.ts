import type { KV, KvEntry } from '@nats-io/kv';
import type { Logger } from 'pino';

const RETRY_MS = [100, 500, 1_000, 2_000, 5_000];
const HEALTH_MS = 2_000;
const STALL_MS = 5_000;

/**
 * An in-memory mirror of a JetStream KV bucket, kept current by one watcher.
 * Hot paths that need "all entries under a prefix" (e.g. a tenant's webhook
 * endpoints on every event) read the mirror instead of listing keys, which
 * costs the server an ephemeral consumer per call. Writes through `put`/`create`
 * wait until the mirror has seen them, so a replica reads its own writes;
 * other replicas' writes arrive as fast as the watcher delivers them.
 *
 * If the watch ends (the bucket's stream was lost, the server gave up on the
 * consumer), the mirror is stale: `live()` turns false — services put it in
 * /readyz — and it starts a new watch with backoff, rebuilding its entries from
 * the bucket's current values before it reports live again.
 */
export class KvMirror<T> {
  private entries = new Map<string, T>();
  private seen = 0;
  private readonly waiters = new Set<{ revision: number; resolve: () => void }>();
  private readonly keyWaiters = new Set<{ key: string; test: (v: T | undefined) => boolean; resolve: (ok: boolean) => void }>();
  private stopped = false;
  private synced = false;
  private stopWatch: () => void = () => undefined;
  private loop: Promise<void> = Promise.resolve();

  private constructor(
    private readonly kv: KV,
    private readonly decode: (entry: KvEntry) => T,
    private readonly logger: Logger,
  ) {}

  static async start<T>(kv: KV, decode: (entry: KvEntry) => T, logger: Logger): Promise<KvMirror<T>> {
    const mirror = new KvMirror(kv, decode, logger);
    const firstSync = new Promise<void>((resolve) => (mirror.onSynced = resolve));
    mirror.loop = mirror.run();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        firstSync,
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('kv mirror did not load the bucket in 30 s')), 30_000);
        }),
      ]);
    } catch (err) {
      await mirror.stop();
      throw err;
    } finally {
      clearTimeout(timer);
    }
    return mirror;
  }

  private onSynced: () => void = () => undefined;

  /** True while the mirror holds the bucket's current state and follows it. */
  live(): boolean {
    return this.synced && !this.stopped;
  }

  private async run(): Promise<void> {
    for (let attempt = 0; !this.stopped; attempt++) {
      let health: NodeJS.Timeout | undefined;
      try {
        const info = (await this.kv.status()).streamInfo;
        const target = info.state.last_seq;
        const watch = await this.kv.watch();
        this.stopWatch = () => watch.stop();
        if (this.stopped) watch.stop();
        // The watcher does not end when its stream is lost or recreated; it stalls.
        // A periodic look at the bucket tells: a different stream, or one the mirror
        // has trailed for longer than STALL_MS, restarts the watch.
        let behindSince: number | undefined;
        health = setInterval(() => {
          this.kv.status().then(
            (s) => {
              if (s.streamInfo.created !== info.created) return watch.stop();
              if (s.streamInfo.state.last_seq <= this.seen) behindSince = undefined;
              else if (behindSince === undefined) behindSince = Date.now();
              else if (Date.now() - behindSince > STALL_MS) watch.stop();
            },
            () => watch.stop(),
          );
        }, HEALTH_MS);
        health.unref();
        // A (re)start rebuilds from the bucket's current values before serving them.
        let fresh: Map<string, T> | undefined = new Map();
        this.seen = 0;
        const swap = () => {
          if (!fresh) return;
          this.entries = fresh;
          fresh = undefined;
          this.synced = true;
          attempt = 0;
          this.onSynced();
        };
        if (target === 0) swap();
        for await (const e of watch) {
          const into = fresh ?? this.entries;
          if (e.operation === 'PUT') into.set(e.key, this.decode(e));
          else into.delete(e.key);
          if (fresh && e.revision >= target) swap();
          if (!fresh) this.settleKey(e.key);
          this.advance(e.revision);
        }
      } catch (err) {
        if (!this.stopped) this.logger.warn({ err }, 'kv mirror watch failed');
      } finally {
        clearInterval(health);
      }
      if (this.stopped) return;
      this.synced = false;
      const wait = RETRY_MS[Math.min(attempt, RETRY_MS.length - 1)] as number;
      this.logger.error({ retryInMs: wait }, 'kv mirror watch ended; the mirror is stale until it reloads');
      await new Promise((r) => setTimeout(r, wait));
    }
  }

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

  /**
   * Resolves true once the entry under `key` passes `test` (at once if it does now),
   * false after timeoutMs: for a writer waiting until another process's reaction to
   * its write is visible here.
   */
  waitUntil(key: string, test: (v: T | undefined) => boolean, timeoutMs: number): Promise<boolean> {
    if (this.synced && test(this.entries.get(key))) return Promise.resolve(true);
    return new Promise((resolve) => {
      const w = {
        key,
        test,
        resolve: (ok: boolean) => {
          clearTimeout(timer);
          this.keyWaiters.delete(w);
          resolve(ok);
        },
      };
      const timer = setTimeout(() => w.resolve(false), timeoutMs);
      this.keyWaiters.add(w);
    });
  }

  private settleKey(key: string): void {
    for (const w of this.keyWaiters) if (w.key === key && w.test(this.entries.get(key))) w.resolve(true);
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

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopWatch();
    await this.loop;
  }
}

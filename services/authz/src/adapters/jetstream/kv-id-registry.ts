import { streamReplicas, openKvBucket } from '@assent/platform';
import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import { type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';
import type { ModelRegistry } from '../openfga/model-pointer.js';

const lostRace = (err: unknown) =>
  err instanceof JetStreamApiError &&
  (err.code === JetStreamApiCodes.StreamWrongLastSequence || err.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown);

const WATCH_RETRY_MS = [100, 500, 1_000, 2_000, 5_000];

/** The OpenFGA id registry in the `<ROOT>_authz_openfga` KV bucket: JetStream's per-key sequence is the arbiter. */
export class KvIdRegistry implements ModelRegistry {
  private constructor(
    private readonly kv: KV,
    private readonly nc: NatsConnection,
  ) {}

  static async open(nc: NatsConnection, root: string): Promise<KvIdRegistry> {
    return new KvIdRegistry(await openKvBucket(nc, `${root.toUpperCase()}_authz_openfga`, { history: 5, replicas: streamReplicas() }), nc);
  }

  async get(key: string): Promise<{ value: string; revision: number } | undefined> {
    const e = await this.kv.get(key);
    return e && e.operation === 'PUT' ? { value: e.string(), revision: e.revision } : undefined;
  }

  async create(key: string, value: string): Promise<boolean> {
    return (await this.swap(key, value, 0)) !== undefined;
  }

  async update(key: string, value: string, revision: number): Promise<boolean> {
    return (await this.swap(key, value, revision)) !== undefined;
  }

  async swap(key: string, value: string, revision: number): Promise<number | undefined> {
    try {
      return revision === 0 ? await this.kv.create(key, value) : await this.kv.update(key, value, revision);
    } catch (err) {
      if (lostRace(err)) return undefined;
      throw err;
    }
  }

  /**
   * A KV watch of one key (its current value first). The watcher ends when its
   * consumer is lost (NATS restarted, the bucket recreated); it is then started
   * again with backoff, and its first value brings the watcher up to date. It ends
   * for good when stopped or when the connection is closed.
   */
  async watch(key: string, onValue: (value: string | undefined) => void, onError: (err: unknown) => void = () => undefined): Promise<{ stop(): Promise<void> }> {
    let stopped = false;
    let wake = () => undefined as void;
    const done = () => stopped || this.nc.isClosed();
    const pause = (ms: number) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    let watch = await this.kv.watch({ key });
    const loop = (async () => {
      for (let attempt = 0; !done(); attempt++) {
        try {
          for await (const e of watch) {
            attempt = 0;
            onValue(e.operation === 'PUT' ? e.string() : undefined);
          }
          if (!done()) onError(new Error(`the watch of ${key} ended`));
        } catch (err) {
          if (!done()) onError(err);
        }
        while (!done()) {
          await pause(WATCH_RETRY_MS[Math.min(attempt, WATCH_RETRY_MS.length - 1)] as number);
          if (done()) return;
          try {
            watch = await this.kv.watch({ key });
            break;
          } catch (err) {
            onError(err);
            attempt++;
          }
        }
      }
    })();
    return {
      stop: async () => {
        stopped = true;
        watch.stop();
        wake();
        await loop;
      },
    };
  }
}

import type { NatsConnection, Subscription } from '@nats-io/nats-core';
import type { Logger } from '@assent/platform';

/** What a relation write changed, so every replica drops its in-process answers for it. */
export type Invalidation =
  | { kind: 'member'; tenant: string; user: string }
  | { kind: 'approvers'; tenant: string; action: string }
  /** A group's membership changed: every approver answer of the tenant may change. */
  | { kind: 'groups'; tenant: string }
  | { kind: 'grant'; tenant: string; user: string; action: string; resource: string; condition: string };

/** Fan-out of invalidations to every replica (at most once; the cache's TTL is the backstop). */
export interface InvalidationBus {
  /** Resolves once the bus has taken the message (NATS: the server has it). */
  publish(inv: Invalidation): Promise<void>;
  /** `onReset` runs when messages may have been missed (e.g. a reconnect): drop everything. */
  subscribe(onInvalidate: (inv: Invalidation) => void, onReset: () => void): { stop(): void };
}

/** Core NATS subject `<root>.authz.invalidate.<tenant>`: cheap, no persistence needed. */
export class NatsInvalidationBus implements InvalidationBus {
  constructor(
    private readonly nc: NatsConnection,
    private readonly root: string,
    private readonly logger: Logger,
  ) {}

  async publish(inv: Invalidation): Promise<void> {
    this.nc.publish(`${this.root}.authz.invalidate.${inv.tenant}`, JSON.stringify(inv));
    // The write returns only after the server has the invalidation to fan out.
    await this.nc.flush();
  }

  subscribe(onInvalidate: (inv: Invalidation) => void, onReset: () => void): { stop(): void } {
    const sub: Subscription = this.nc.subscribe(`${this.root}.authz.invalidate.>`, {
      callback: (err, msg) => {
        if (err) return onReset();
        try {
          onInvalidate(msg.json<Invalidation>());
        } catch (e) {
          this.logger.warn({ err: e }, 'undecodable authz invalidation; dropping the whole cache');
          onReset();
        }
      },
    });
    let stopped = false;
    void (async () => {
      for await (const s of this.nc.status()) {
        if (stopped) break;
        if (s.type === 'disconnect' || s.type === 'reconnect') onReset();
      }
    })();
    return {
      stop: () => {
        stopped = true;
        sub.unsubscribe();
      },
    };
  }
}

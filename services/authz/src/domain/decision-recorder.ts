import { LruCache, type AssentEvent } from '@assent/platform/domain';
import type { Clock, EventSink } from './ports.js';

/**
 * The audit rule for Check decisions. Every decision (ALLOW, DENY, NEEDS_APPROVAL)
 * is published as assent.authz.checked.v1 and the Check answers only after the
 * event stream has acknowledged it, except one case: a decision identical to one
 * this replica recorded less than `repeatWindowMs` earlier (same tenant,
 * principal, action, resource, decision, model, policy hash and grant expiry) is
 * covered by that record: it is not published again and the Check returns the
 * recorded decision's id. Concurrent identical decisions wait for the one publish.
 * So audit holds each distinct decision at least once per window per replica, and
 * a caller repeating a cached decision pays no JetStream round trip. A window of
 * 0 publishes every decision.
 */
export class DecisionRecorder {
  private readonly recent: LruCache<string, { id: string; published: Promise<void> }> | undefined;

  constructor(
    private readonly events: EventSink,
    private readonly clock: Clock,
    private readonly repeatWindowMs: number,
    maxEntries = 10_000,
  ) {
    this.recent = repeatWindowMs > 0 ? new LruCache(maxEntries, () => clock.now().getTime()) : undefined;
  }

  /** Publishes the built event unless an identical decision covers it; returns the id of the record that does. */
  async record(fingerprint: string, build: () => AssentEvent): Promise<string> {
    if (!this.recent) {
      const event = build();
      await this.events.emit(event);
      return event.id;
    }
    const covering = this.recent.get(fingerprint);
    if (covering) {
      await covering.published;
      return covering.id;
    }
    const event = build();
    const published = this.events.emit(event);
    this.recent.set(fingerprint, { id: event.id, published }, this.clock.now().getTime() + this.repeatWindowMs);
    try {
      await published;
    } catch (err) {
      this.recent.delete(fingerprint);
      throw err;
    }
    return event.id;
  }
}

import { LruCache, type AssentEvent } from '@assent/platform/domain';
import type { Clock, EventSink } from './ports.js';

/**
 * The audit rule for Check decisions (docs/decisions.md "Authz decisions and
 * audit"). Every decision is published as assent.authz.checked.v1 and the Check
 * answers only after the event stream has acknowledged it (`record`), except
 * routine ALLOWs of an action none of whose protection conditions held
 * (`sample`): a decision identical to one this replica recorded less than
 * `repeatWindowMs` earlier is covered by that record, is not published again, and
 * returns the recorded decision's id; concurrent identical ones wait for the one
 * publish. Decisions on protected actions and every DENY are never sampled. A
 * window of 0 publishes every decision.
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

  /** Publishes the decision's event; returns its id once the stream has it. */
  async record(build: () => AssentEvent): Promise<string> {
    const event = build();
    await this.events.emit(event);
    return event.id;
  }

  /** Publishes the built event unless an identical routine decision covers it; returns the id of the record that does. */
  async sample(fingerprint: string, build: () => AssentEvent): Promise<string> {
    if (!this.recent) return this.record(build);
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

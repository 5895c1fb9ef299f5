import { hostname } from 'node:os';
import { AckPolicy, DeliverPolicy, type ConsumerInfo } from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import { UnavailableError, eventConsumerNames, newUlid, parseEvent, startLease, type Logger, type Names, type Nats } from '@assent/platform';
import type { RecordedDecision } from '../../domain/decision-replay.js';
import type { RecordedDecisions } from '../../domain/ports.js';
import type { Decision } from '../../domain/types.js';

/** The one consumer authz may make on the events stream (nats-permissions.ts): made for each read and deleted after it. */
const CONSUMER = eventConsumerNames.authzDecisionReplay;
const BATCH = 256;
/** A read that takes longer fails (UNAVAILABLE) rather than answer from part of the decisions. */
const READ_DEADLINE_MS = 20_000;
/** Consumers made to find where the newest decisions start (each made and deleted: two round trips). */
const MAX_PROBES = 40;

const decisions: Record<string, Decision> = {
  DECISION_ALLOW: 'ALLOW',
  DECISION_DENY: 'DENY',
  DECISION_NEEDS_APPROVAL: 'NEEDS_APPROVAL',
  DECISION_NEEDS_STEP_UP: 'NEEDS_STEP_UP',
};

/** A stored assent.authz.checked.v1 event as a decision; undefined when it is not one authz can read. */
export function decodeCheckedEvent(data: Uint8Array): RecordedDecision | undefined {
  try {
    const e = parseEvent(data);
    if (e.type !== 'assent.authz.checked.v1') return undefined;
    const d = e.data as { tenant?: unknown; principal?: unknown; action?: unknown; resource?: unknown; decision?: unknown; matchedCondition?: { name?: unknown } };
    const decision = typeof d.decision === 'string' ? decisions[d.decision] : undefined;
    const decidedAt = new Date(e.time);
    if (!decision || Number.isNaN(decidedAt.getTime())) return undefined;
    if (typeof d.tenant !== 'string' || typeof d.principal !== 'string' || typeof d.action !== 'string' || typeof d.resource !== 'string') return undefined;
    const condition = d.matchedCondition?.name;
    return {
      id: e.id,
      tenant: d.tenant,
      principal: d.principal,
      action: d.action,
      resource: d.resource,
      decidedAt,
      decision,
      matchedCondition: typeof condition === 'string' && condition ? condition : undefined,
    };
  } catch {
    return undefined;
  }
}

/**
 * The newest recorded decisions, read from the domain event stream. JetStream (2.9)
 * reads forward only, so the read first finds a start sequence with about `limit`
 * decisions after it: a consumer made at a sequence reports how many decisions
 * follow it (num_pending) without delivering any, so a few probes, galloping back
 * from the end and then halving, find it. Then one consumer (no acks, in memory)
 * delivers them in batches and keeps the newest `limit`.
 *
 * Authz may have exactly one consumer on the events stream, `authz-decision-replay`
 * (nats-permissions.ts: a service may not pull from, and so take, another's
 * consumers), so one read runs at a time across replicas: a lease decides which,
 * and a second read meanwhile is UNAVAILABLE (retry). The consumer is deleted after
 * each probe and read; its inactive threshold removes it if this process dies first.
 */
export class JetStreamRecordedDecisions implements RecordedDecisions {
  constructor(
    private readonly nats: Nats,
    private readonly names: Names,
    private readonly logger: Logger,
  ) {}

  async newest(limit: number): Promise<{ decisions: RecordedDecision[]; unreadable: number }> {
    if (limit <= 0) return { decisions: [], unreadable: 0 };
    const lost = new AbortController();
    const lease = await startLease({
      nats: this.nats,
      names: this.names,
      // The lease logs its release as a loss; for a one-off read that is just the end.
      logger: this.logger.child({ reader: CONSUMER }, { level: 'error' }),
      name: CONSUMER,
      holder: `${hostname()}-${process.pid}-${newUlid()}`,
      onAcquired: async () => async () => lost.abort(),
    });
    try {
      if (!lease.held()) throw new UnavailableError('another model simulation is reading the recorded decisions; retry in a few seconds');
      try {
        return await this.read(limit, lost.signal);
      } finally {
        await this.remove();
      }
    } finally {
      await lease.stop();
    }
  }

  private async read(limit: number, lost: AbortSignal): Promise<{ decisions: RecordedDecision[]; unreadable: number }> {
    const deadline = Date.now() + READ_DEADLINE_MS;
    const { state } = await this.nats.jsm.streams.info(this.names.eventsStream);
    if (state.messages === 0) return { decisions: [], unreadable: 0 };
    const start = await this.startFor(limit, state.first_seq, state.last_seq);
    const info = await this.create(start);
    const consumer = this.nats.js.consumers.getConsumerFromInfo(info);
    const newest: (RecordedDecision | undefined)[] = [];
    let remaining = info.num_pending;
    while (remaining > 0) {
      if (lost.aborted) throw new UnavailableError('lost the lease on the recorded decisions while reading them; retry');
      if (Date.now() > deadline) throw new UnavailableError(`reading the recorded decisions took longer than ${READ_DEADLINE_MS / 1000} s; retry with a smaller limit`);
      const batch = await consumer.fetch({ max_messages: Math.min(BATCH, remaining), expires: 5_000 });
      let received = 0;
      for await (const m of batch) {
        received++;
        remaining--;
        newest.push(decodeCheckedEvent(m.data));
        if (newest.length > limit) newest.shift();
      }
      // The oldest may have aged out of the stream since the count: what is there was read.
      if (received === 0) break;
    }
    const found = newest.filter((d): d is RecordedDecision => d !== undefined).reverse();
    return { decisions: found, unreadable: newest.length - found.length };
  }

  /** A sequence with at least `limit` decisions from it to the end (the latest such one within a quarter of `limit`), or the first. */
  private async startFor(limit: number, first: number, last: number): Promise<number> {
    let probes = 0;
    const pendingFrom = async (seq: number) => {
      probes++;
      const { num_pending } = await this.create(seq);
      await this.remove();
      return num_pending;
    };
    let lo = first;
    let hi = last + 1;
    for (let step = limit; ; step *= 4) {
      const seq = Math.max(first, last + 1 - step);
      if (seq === first) {
        if ((await pendingFrom(first)) <= limit) return first;
        break;
      }
      if ((await pendingFrom(seq)) >= limit) {
        lo = seq;
        break;
      }
      hi = seq;
    }
    while (hi - lo > 1 && probes < MAX_PROBES) {
      const mid = Math.floor((lo + hi) / 2);
      const pending = await pendingFrom(mid);
      if (pending >= limit) {
        lo = mid;
        if (pending <= limit + limit / 4) break;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  private create(seq: number): Promise<ConsumerInfo> {
    return this.nats.jsm.consumers.add(this.names.eventsStream, {
      name: CONSUMER,
      description: 'authz SimulateModel: reads recorded decisions; deleted after each read',
      filter_subject: this.names.event('*', 'authz', 'checked'),
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: seq,
      ack_policy: AckPolicy.None,
      inactive_threshold: nanos(30_000),
      mem_storage: true,
      num_replicas: 1,
    });
  }

  private async remove(): Promise<void> {
    await this.nats.jsm.consumers.delete(this.names.eventsStream, CONSUMER).catch(() => false);
  }
}

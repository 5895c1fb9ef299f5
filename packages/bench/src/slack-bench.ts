import { EventPublisher, names, newEvent, newUlid, type Nats } from '@assent/platform';
import { approvalsv1, eventsv1 } from '@assent/proto';
import { Latency } from './histogram.js';
import { openLoop } from './open-loop.js';
import { formatTable, latencyHeader, latencyRows } from './report.js';

export interface SlackBenchOptions {
  /** Requests per second, paced (open loop). */
  rate: number;
  /** Length of the healthy phase. */
  seconds: number;
  /** Channels the requests are spread over, round robin (Slack allows ~1 message/s per channel). */
  channels: number;
  /** Length of the fault phase (the sink answers 429 and 5xx in turn); 0 skips it. */
  faultSeconds: number;
  /** The local Slack server `make up` runs (its control API: /_assent/fault, /_assent/calls). */
  sinkUrl: string;
  tenant: string;
  /** How long to wait, after a phase, for every message to arrive before counting the rest lost. */
  settleSeconds: number;
}

export interface SlackPhase {
  name: string;
  sent: number;
  received: number;
  lost: number;
  duplicates: number;
  /** Event time → message received by the Slack server. */
  latency: Latency;
  seconds: number;
  skipped: number;
}

/** Calls the Slack server received, read incrementally from its control API. */
class SinkReader {
  private next = 0;
  /** request id → [first receive time, posts]. */
  readonly posts = new Map<string, { at: number; count: number }>();
  constructor(private readonly url: string) {}

  async poll(): Promise<void> {
    for (;;) {
      const res = await fetch(`${this.url}/_assent/calls?from=${this.next}`);
      if (!res.ok) throw new Error(`Slack sink answered ${res.status} at /_assent/calls: is make up running with its local Slack sink?`);
      const body = (await res.json()) as { next: number; calls: { method: string; status: number; error?: string; at: number; text: string; threadTs?: string }[] };
      for (const c of body.calls) {
        if (c.method !== 'chat.postMessage' || c.status !== 200 || c.error || c.threadTs) continue;
        const id = /\(request ([0-9A-Z]{26})\)/.exec(c.text)?.[1];
        if (!id) continue;
        const seen = this.posts.get(id);
        if (seen) seen.count++;
        else this.posts.set(id, { at: c.at, count: 1 });
      }
      const more = body.next - this.next === 5000;
      this.next = body.next;
      if (!more) return;
    }
  }
}

/**
 * Event → Slack message, through the running platform's notifier: `requested` events
 * are published on the event stream at a paced rate (approvals is not in the loop: on
 * this machine it creates far fewer than 200 requests/s, and the figure is about the
 * notifier), each naming one of `channels` Slack channels in turn, and the local Slack
 * server's receive time of each message is compared with its event's time. Then the
 * server answers 429 and 5xx in turn for `faultSeconds` while events keep coming, and
 * every message of that phase is waited for: missing ones are lost, repeated ones duplicates.
 */
export async function slackBench(o: SlackBenchOptions, nats: Nats, progress: (line: string) => void): Promise<SlackPhase[]> {
  const run = newUlid().slice(-8).toLowerCase();
  const publisher = new EventPublisher(nats.js, names('assent'));
  const sink = new SinkReader(o.sinkUrl.replace(/\/+$/, ''));
  await sink.poll();
  let n = 0;
  const publish = async (ids: Map<string, number>) => {
    const id = newUlid();
    const request = approvalsv1.ApprovalRequest.fromPartial({
      id,
      tenant: o.tenant,
      action: 'bench.slack',
      resource: `bench/${run}/${n}`,
      requester: 'alice',
      justification: 'benchmark',
      state: approvalsv1.RequestState.REQUEST_STATE_PENDING,
      policyId: `bench-slack-${run}`,
      // Nobody with an email address: the figure is Slack's, not SMTP's.
      approvers: ['user:bench-approver'],
      quorum: 1,
    });
    const slackChannel = `bench-${run}-${n++ % o.channels}`;
    const event = newEvent({ type: 'assent.approval.requested.v1', service: 'approvals', subject: `request/${id}`, tenant: o.tenant, data: eventsv1.ApprovalRequested.toJSON({ request, slackChannel }) });
    ids.set(id, Date.parse(event.time));
    await publisher.publish(event);
  };
  const settle = async (ids: Map<string, number>, seconds: number) => {
    const deadline = Date.now() + seconds * 1000;
    for (;;) {
      await sink.poll();
      const missing = [...ids.keys()].filter((id) => !sink.posts.has(id)).length;
      if (missing === 0 || Date.now() > deadline) return;
      progress(`  waiting for ${missing} of ${ids.size} messages…`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  };
  const phase = async (name: string, seconds: number, during?: () => Promise<void>): Promise<SlackPhase> => {
    const ids = new Map<string, number>();
    let failed = 0;
    const started = Date.now();
    await during?.();
    const poller = setInterval(() => void sink.poll().catch(() => undefined), 500);
    const { skipped } = await openLoop({ rate: o.rate, seconds, maxInFlight: 1024 }, () => publish(ids).catch(() => void failed++));
    clearInterval(poller);
    const elapsed = (Date.now() - started) / 1000;
    await settle(ids, o.settleSeconds);
    const latency = new Latency();
    let received = 0;
    let duplicates = 0;
    for (const [id, at] of ids) {
      const post = sink.posts.get(id);
      if (!post) continue;
      received++;
      duplicates += post.count - 1;
      // The histogram tracks up to 120 s; a longer delay (an outage) counts as 120 s.
      latency.recordMs(Math.min(119_000, Math.max(0, post.at - at)));
    }
    if (failed) progress(`  ${failed} events could not be published (not counted as sent)`);
    return { name, sent: ids.size, received, lost: ids.size - received, duplicates, latency, seconds: elapsed, skipped };
  };

  // One message proves the path (tenant routing, the sink) before anything is measured.
  const warm = await phase('warm-up', 1 / o.rate);
  if (warm.lost) throw new Error('the warm-up message never reached the Slack sink: is NOTIFIER_SLACK_TENANT the bench tenant (make up sets acme)?');
  progress(`healthy: ${o.rate} requests/s for ${o.seconds} s over ${o.channels} channels…`);
  const phases = [await phase('healthy', o.seconds)];
  if (o.faultSeconds > 0) {
    progress(`fault: the Slack sink answers 429 and 5xx in turn for ${o.faultSeconds} s while ${o.rate} requests/s keep coming…`);
    phases.push(
      await phase(`Slack 429/5xx for ${o.faultSeconds} s`, o.faultSeconds, async () => {
        const res = await fetch(`${o.sinkUrl.replace(/\/+$/, '')}/_assent/fault`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ fault: 'mixed', seconds: o.faultSeconds }) });
        if (!res.ok) throw new Error(`the Slack sink refused the fault: ${res.status}`);
      }),
    );
  }
  return phases;
}

export function formatSlack(o: SlackBenchOptions, phases: SlackPhase[]): string {
  return [
    `Event → Slack message (received by the local Slack server), ${o.rate} requests/s over ${o.channels} channels (Slack allows ~1 message/s per channel)`,
    ...formatTable([latencyHeader, ...phases.flatMap((p) => latencyRows([{ step: `${p.name}: event → message`, latency: p.latency }], p.seconds))]),
    ...phases.map((p) => `${p.name}: sent ${p.sent}, received ${p.received}, lost ${p.lost}, duplicates ${p.duplicates}${p.skipped ? `, ${p.skipped} not started (in-flight cap)` : ''}; max ${p.latency.max().toFixed(0)} ms`),
  ].join('\n');
}

import { SingleBar, Presets } from 'cli-progress';
import { headers as natsHeaders } from '@nats-io/nats-core';
import { eventConsumerNames, names, newEvent, encodeEvent, splitEventType, type Nats } from '@assent/platform';
import { cpuReport, sampleCpu, type CpuReport, type PlatformProcess } from './cpu.js';
import { formatCpu, formatTable } from './report.js';

export interface AuditBenchOptions {
  /** Events published in the run. */
  events: number;
  /** Tenants they are spread over, round robin (each its own chain). */
  tenants: number;
  /** Publishes awaiting their JetStream acknowledgement at once. */
  window: number;
  /** Unique per run: the tenants are bench-<run>-<i>. */
  run: string;
  processes: PlatformProcess[];
}

/** What the bench needs of the platform besides NATS: tenants to exist (VerifyChain checks) and the chain verified. */
export interface AuditBenchPlatform {
  createTenant(id: string): Promise<void>;
  verifyChain(tenant: string): Promise<{ valid: boolean; records: number; firstInvalidSequence: number }>;
}

export interface AuditBenchResult {
  events: number;
  tenants: number;
  /** First publish → last JetStream acknowledgement: the peer (JetStream storing the same events, no chaining). */
  publishSeconds: number;
  /** First publish → the audit consumer has recorded and acknowledged every event. */
  ingestSeconds: number;
  cpu?: CpuReport;
  /** Every tenant's chain, verified one after the other by VerifyChain (shortChains: those that did not gain exactly their share). */
  verify: { records: number; seconds: number; valid: boolean; shortChains: string[]; largestChain: { records: number; seconds: number } };
}

/** A decision record as authz publishes one (assent.authz.checked.v1), about 600 bytes on the wire. */
function decisionEvent(tenant: string, i: number) {
  return newEvent({
    type: 'assent.authz.checked.v1',
    service: 'authz',
    subject: 'decision/payouts.change_details',
    tenant,
    data: {
      tenant,
      principal: `user-${i % 500}`,
      action: 'payouts.change_details',
      resource: `payout/${i}`,
      decision: 'DECISION_NEEDS_APPROVAL',
      reason: `payouts.change_details is protected: user-${i % 500} needs an approval under policy payouts-dual-control to act on payout/${i}`,
      modelId: '01JBENCHMARKMODEL000000000',
      policy: { id: 'payouts-dual-control', hash: 'sha256:4f1c2b8e0d9a7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a29180f7e6d5c4b3a291800' },
    },
  });
}

/** Polls until the durable consumer `audit` has nothing pending or unacknowledged. */
async function waitForAudit(nats: Nats, stream: string, deadline: number, progress?: (left: number) => void): Promise<void> {
  for (;;) {
    const c = await nats.jsm.consumers.info(stream, eventConsumerNames.audit);
    const left = c.num_pending + c.num_ack_pending;
    progress?.(left);
    if (left === 0) return;
    if (Date.now() > deadline) throw new Error(`audit still had ${left} events to record after the run`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Audit ingest: `events` decision events published to the platform's event stream
 * (as authz would, over `tenants` tenants), then the time until the audit consumer
 * has chained and acknowledged all of them. The peer in the same run is JetStream
 * itself: how long storing the same events took, without chaining. Then every
 * tenant's chain is verified through VerifyChain (records/s), and each must hold
 * exactly its share: nothing lost, nothing twice.
 */
export async function auditBench(o: AuditBenchOptions, nats: Nats, platform: AuditBenchPlatform, progress: boolean): Promise<AuditBenchResult> {
  const n = names('assent');
  const tenants = Array.from({ length: o.tenants }, (_, i) => `bench-${o.run}-${i}`);
  for (const t of tenants) await platform.createTenant(t);
  // Creating a tenant is itself audited (in its own chain): let that settle, then count
  // what each chain holds before the run, so the check after it counts only the run's events.
  await waitForAudit(nats, n.eventsStream, Date.now() + 60_000);
  const before = new Map<string, number>();
  for (const t of tenants) before.set(t, (await platform.verifyChain(t)).records);
  // Built before the clock starts: the load generator's JSON work is not the platform's.
  const messages = Array.from({ length: o.events }, (_, i) => {
    const event = decisionEvent(tenants[i % tenants.length] as string, i);
    const { domain, event: name } = splitEventType(event.type);
    const h = natsHeaders();
    h.set('ce-type', event.type);
    h.set('ce-id', event.id);
    h.set('ce-subject', event.subject);
    return { subject: n.event(event.tenantid, domain, name), data: encodeEvent(event), id: event.id, headers: h };
  });

  const bar = progress ? new SingleBar({ format: 'audit |{bar}| {phase} {value}/{total} events', hideCursor: true }, Presets.shades_classic) : undefined;
  bar?.start(o.events, 0, { phase: 'publish' });
  const cpuBefore = sampleCpu(o.processes);
  const started = process.hrtime.bigint();
  let next = 0;
  let acked = 0;
  const publisher = async () => {
    while (next < messages.length) {
      const m = messages[next++] as (typeof messages)[number];
      await nats.js.publish(m.subject, m.data, { msgID: m.id, headers: m.headers });
      if (++acked % 1000 === 0) bar?.update(acked);
    }
  };
  await Promise.all(Array.from({ length: o.window }, publisher));
  const publishSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  bar?.update(0, { phase: 'audited' });
  await waitForAudit(nats, n.eventsStream, Date.now() + 600_000, (left) => bar?.update(o.events - Math.min(left, o.events)));
  const ingestSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpuAfter = sampleCpu(o.processes);
  bar?.stop();

  const share = (i: number) => Math.floor(o.events / o.tenants) + (i < o.events % o.tenants ? 1 : 0);
  let records = 0;
  let valid = true;
  const shortChains: string[] = [];
  let largestChain = { records: 0, seconds: 0 };
  const verifyStarted = process.hrtime.bigint();
  for (const [i, t] of tenants.entries()) {
    const t0 = process.hrtime.bigint();
    const v = await platform.verifyChain(t);
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    if (v.records > largestChain.records) largestChain = { records: v.records, seconds };
    records += v.records;
    valid &&= v.valid;
    const added = v.records - (before.get(t) ?? 0);
    if (added !== share(i)) shortChains.push(`${t}: ${added} of ${share(i)}`);
  }
  const verifySeconds = Number(process.hrtime.bigint() - verifyStarted) / 1e9;
  return {
    events: o.events,
    tenants: o.tenants,
    publishSeconds,
    ingestSeconds,
    ...(o.processes.length ? { cpu: cpuReport(o.processes, cpuBefore, cpuAfter, 'event', o.events) } : {}),
    verify: { records, seconds: verifySeconds, valid, shortChains, largestChain },
  };
}

export function formatAudit(r: AuditBenchResult): string {
  const rate = (count: number, seconds: number) => (seconds > 0 ? Math.round(count / seconds).toLocaleString('en-US') : '-');
  const rows = [
    ['JetStream stores the events (peer, no chaining)', rate(r.events, r.publishSeconds), r.publishSeconds.toFixed(2)],
    ['audit ingest: chained and acknowledged', rate(r.events, r.ingestSeconds), r.ingestSeconds.toFixed(2)],
    ['VerifyChain, every tenant in turn', rate(r.verify.records, r.verify.seconds), r.verify.seconds.toFixed(2)],
    [`VerifyChain, largest chain (${r.verify.largestChain.records} records)`, rate(r.verify.largestChain.records, r.verify.largestChain.seconds), r.verify.largestChain.seconds.toFixed(3)],
  ];
  const lost = r.verify.shortChains.length ? `chains not holding exactly their events: ${r.verify.shortChains.slice(0, 5).join('; ')}` : 'every chain holds exactly its events (nothing lost, nothing twice)';
  return [
    `audit ingest: ${r.events.toLocaleString('en-US')} decision events over ${r.tenants} tenants`,
    '',
    ...formatTable([['phase', 'events/s', 'seconds'], ...rows]),
    '',
    `audit ingest / JetStream store: ${(r.publishSeconds / r.ingestSeconds).toFixed(2)} of the peer's rate`,
    `chains valid: ${r.verify.valid ? 'yes' : 'NO'}; ${lost}`,
    'VerifyChain reads each whole chain (the run\'s events and what the tenant held before).',
    ...(r.cpu ? ['', formatCpu(r.cpu)] : []),
  ].join('\n');
}

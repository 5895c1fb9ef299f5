import type { Nats } from '@assent/platform';
import { parseEvent } from '@assent/platform';
import { approvalsv1, eventsv1 } from '@assent/proto';
import { SingleBar, Presets } from 'cli-progress';
import { ClientError, Status } from 'nice-grpc';
import { cpuReport, platformProcesses, sampleCpu, type CpuReport } from './cpu.js';
import { Latency } from './histogram.js';
import { formatCpu, formatTable, latencyHeader, latencyRows } from './report.js';

type ApprovalsClient = {
  putPolicy(req: approvalsv1.PutPolicyRequest): Promise<approvalsv1.PutPolicyResponse>;
  createRequest(req: Pick<approvalsv1.CreateRequestRequest, 'tenant' | 'action' | 'resource' | 'justification' | 'idempotencyKey'>): Promise<approvalsv1.CreateRequestResponse>;
};

export interface TimersOptions {
  tenant: string;
  count: number;
  expireAfter: number;
  concurrency: number;
  json?: boolean;
  pidsFile: string;
}

export interface TimersResult {
  created: number;
  /** Requests pending (timer armed, not yet fired) when the last one was created. */
  pendingAtPeak: number;
  fired: number;
  firedTwice: number;
  missing: number;
  drift: Latency;
  createSeconds: number;
  /** Creates the tenant's rate limit refused (and the bench retried). */
  throttled: number;
  fireSpanSeconds: number;
  cpu?: CpuReport;
}

/**
 * Timer drift at scale: `count` requests under a policy that expires them
 * `expireAfter` seconds after creation, created as fast as the platform takes them
 * so they are all pending at once; then every `expired` event is read from the event
 * stream (core NATS subscription) and its time compared with the expiry the request
 * recorded. Counts each request's expiry events: each must expire exactly once.
 */
export async function timersMode(o: TimersOptions, admin: ApprovalsClient, requester: ApprovalsClient, nats: Nats, run: string, fail: (err: unknown) => void): Promise<TimersResult> {
  const action = `bench.timers_${run}`;
  await admin.putPolicy({
    tenant: o.tenant,
    policy: approvalsv1.Policy.fromPartial({
      id: `bench-timers-${run}`,
      action,
      approvers: ['user:bob'],
      grantDurationSeconds: '600',
      schedule: { expireAfterSeconds: String(o.expireAfter) },
    }),
  });
  const expiresAt = new Map<string, number>();
  const seen = new Map<string, number>();
  const drift = new Latency();
  let firstFire = Infinity;
  let lastFire = 0;
  const sub = nats.nc.subscribe(`assent.evt.${o.tenant}.approval.expired`, {
    callback: (err, msg) => {
      if (err) return;
      const e = parseEvent(msg.data);
      const data = eventsv1.ApprovalTimerFired.fromJSON(e.data);
      const id = data.request?.id ?? '';
      if (data.request?.action !== action) return;
      seen.set(id, (seen.get(id) ?? 0) + 1);
      const due = data.scheduledAt?.getTime() ?? 0;
      const at = new Date(e.time).getTime();
      drift.recordMs(Math.max(0, at - due));
      firstFire = Math.min(firstFire, at);
      lastFire = Math.max(lastFire, at);
    },
  });
  const processes = platformProcesses(o.pidsFile);
  const cpuBefore = sampleCpu(processes);
  const bar = o.json ? undefined : new SingleBar({ format: 'timers |{bar}| {value}/{total} created  {fired} fired', hideCursor: true }, Presets.shades_classic);
  bar?.start(o.count, 0, { fired: 0 });
  const started = Date.now();
  let next = 0;
  let throttled = 0;
  const worker = async () => {
    while (next < o.count) {
      const i = next++;
      for (;;) {
        try {
          const r = await requester.createRequest({ tenant: o.tenant, action, resource: `bench-timers/${run}/${i}`, justification: 'timer benchmark', idempotencyKey: `bench-timers-${run}-${i}` });
          const id = r.request?.id;
          const exp = r.request?.timers?.expiresAt?.getTime();
          if (id && exp) expiresAt.set(id, exp);
          break;
        } catch (err) {
          // The tenant's rate limit is part of the platform: wait as told and go on, so every request is made.
          if (err instanceof ClientError && err.code === Status.RESOURCE_EXHAUSTED) {
            throttled++;
            await new Promise((r) => setTimeout(r, 20));
            continue;
          }
          fail(err);
          break;
        }
      }
      bar?.update(expiresAt.size, { fired: seen.size });
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  const createSeconds = (Date.now() - started) / 1000;
  const pendingAtPeak = expiresAt.size - seen.size;
  const lastDue = Math.max(...expiresAt.values());
  // Wait for every expiry (and a margin for any second firing).
  const deadline = lastDue + 30_000;
  while (Date.now() < deadline && [...expiresAt.keys()].some((id) => !seen.has(id))) {
    await new Promise((r) => setTimeout(r, 250));
    bar?.update(expiresAt.size, { fired: seen.size });
  }
  await new Promise((r) => setTimeout(r, 2_000));
  bar?.stop();
  sub.unsubscribe();
  const cpuAfter = sampleCpu(processes);
  const fired = [...expiresAt.keys()].filter((id) => seen.has(id)).length;
  return {
    created: expiresAt.size,
    pendingAtPeak,
    fired,
    firedTwice: [...seen.values()].filter((n) => n > 1).length,
    missing: expiresAt.size - fired,
    drift,
    createSeconds,
    throttled,
    fireSpanSeconds: Math.max(0, (lastFire - firstFire) / 1000),
    ...(processes.length ? { cpu: cpuReport(processes, cpuBefore, cpuAfter, 'request (create + expiry)', expiresAt.size) } : {}),
  };
}

export function formatTimers(r: TimersResult): string {
  return [
    `timers: ${r.created} requests created in ${r.createSeconds.toFixed(1)} s (${r.throttled} creates held back by the tenant rate limit and retried), ${r.pendingAtPeak} pending at once; ${r.fired} expired over ${r.fireSpanSeconds.toFixed(1)} s`,
    ...formatTable([latencyHeader, ...latencyRows([{ step: 'expiry drift', latency: r.drift }], Math.max(r.fireSpanSeconds, 1))]),
    `fired exactly once: ${r.fired - r.firedTwice} of ${r.created}; fired twice: ${r.firedTwice}; never fired: ${r.missing}`,
    ...(r.cpu ? [formatCpu(r.cpu)] : []),
  ].join('\n');
}

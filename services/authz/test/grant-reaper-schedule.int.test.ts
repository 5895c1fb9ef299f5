import { afterAll, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { connectNats, createLogger, names, type Nats } from '@assent/platform';
import { cleanupNats, testEnv, uniqueRoot } from '@assent/testkit';
import type { SweepResult } from '../src/adapters/openfga/expired-grant-reaper.js';
import { startGrantReaper, type RunningGrantReaper } from '../src/adapters/openfga/grant-reaper-schedule.js';

const root = uniqueRoot();
const logger = createLogger('test', 'silent');
const conns: Nats[] = [];
const running: RunningGrantReaper[] = [];

afterAll(async () => {
  await Promise.allSettled(running.map((r) => r.stop()));
  await Promise.all(conns.map((c) => c.drain().catch(() => undefined)));
  await cleanupNats(root);
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(what: string, ok: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(20);
  }
}

const metric = async (registry: Registry, name: string) => {
  const line = (await registry.getSingleMetricAsString(name)).split('\n').find((l) => l.startsWith(name) && !l.includes('outcome="failed"'));
  return Number(line?.split(' ').pop());
};

describe('the grant reaper schedule', () => {
  it('sweeps on one replica at a time, counts what the sweeps did, and passes to another replica when the sweeper stops', async () => {
    const swept = [0, 0];
    let inFlight = 0;
    let overlapped = false;
    const result: SweepResult = { scanned: 10, reaped: 2, unstamped: 3, racesLost: 1, capped: false };
    const registries = [new Registry(), new Registry()];
    const replicas: RunningGrantReaper[] = [];
    for (const i of [0, 1]) {
      const nats = await connectNats(testEnv.natsUrl, `grant-reaper-${i}`, logger);
      conns.push(nats);
      const reaper = {
        sweep: async () => {
          overlapped ||= inFlight > 0;
          inFlight++;
          swept[i] = (swept[i] ?? 0) + 1;
          await sleep(30);
          inFlight--;
          return result;
        },
      };
      const r = await startGrantReaper({ nats, names: names(root), logger, registry: registries[i] as Registry, reaper, intervalMs: 100 });
      running.push(r);
      replicas.push(r);
    }

    await until('three sweeps', () => (swept[0] ?? 0) + (swept[1] ?? 0) >= 3);
    const holder = replicas.findIndex((r) => r.sweeping());
    const other = 1 - holder;
    expect(replicas.filter((r) => r.sweeping())).toHaveLength(1);
    expect(swept[other]).toBe(0);
    // Sweeps run one after another, so at least two of the three have finished and been counted.
    const holderRegistry = registries[holder] as Registry;
    expect(await metric(holderRegistry, 'assent_authz_grants_reaped_total')).toBeGreaterThanOrEqual(4);
    expect(await metric(holderRegistry, 'assent_authz_grant_reap_races_lost_total')).toBeGreaterThanOrEqual(2);
    expect(await metric(holderRegistry, 'assent_authz_grants_unstamped')).toBe(3);
    expect(await metric(registries[other] as Registry, 'assent_authz_grants_reaped_total')).toBe(0);

    await replicas[holder]?.stop();
    await until('the other replica sweeps', () => (swept[other] ?? 0) > 0);
    expect(replicas[other]?.sweeping()).toBe(true);
    expect(overlapped).toBe(false);
  });

  it('does nothing with an interval of 0', async () => {
    let swept = 0;
    const nats = await connectNats(testEnv.natsUrl, 'grant-reaper-off', logger);
    conns.push(nats);
    const reaper = {
      sweep: async () => {
        swept++;
        return { scanned: 0, reaped: 0, unstamped: 0, racesLost: 0, capped: false };
      },
    };
    const r = await startGrantReaper({ nats, names: names(root), logger, registry: new Registry(), reaper, intervalMs: 0 });
    running.push(r);
    await sleep(300);
    expect(r.sweeping()).toBe(false);
    expect(swept).toBe(0);
  });
});

import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRuntime, type Principal } from '@assent/platform';
import { loadConfig } from '@assent/authz/config';
import { addTenantMember, checkAccess, composeAuthz, createTenant, registerProtectedAction, writeGrant } from '@assent/authz/in-process';
import { cleanupNats, cleanupRedis } from '@assent/testkit';
import { closedLoop } from './check-bench.js';
import { Latency } from './histogram.js';

export interface InProcessOptions {
  concurrency: number;
  seconds: number;
  natsUrl: string;
  redisUrl: string;
  openfgaUrl: string;
  openfgaKeyFile: string | undefined;
}

export interface InProcessPhase {
  name: string;
  seconds: number;
  latency: Latency;
  checks: number;
  cpuSeconds: number;
}

const service: Principal = { subject: 'service:approvals', kind: 'service', tenant: undefined, roles: [] };
const user = (subject: string, tenant: string): Principal => ({ subject, kind: 'user', tenant, roles: [] });

/**
 * authz's decision path called in this process, with gRPC and the network left out:
 * the same composition as the service (composeAuthz) on a fresh subject root on the
 * machine's NATS and Redis, and its own store in the platform's OpenFGA (make up).
 * It measures what the decision cache costs on a hit, which a gRPC client on this
 * 2-core machine cannot (the client alone spends more CPU per call than authz).
 * Everything it created (streams, buckets, Redis keys, the OpenFGA store) is removed.
 */
export async function inProcessCheckBench(o: InProcessOptions, fail: (err: unknown) => void): Promise<InProcessPhase[]> {
  const root = `benchinproc${randomBytes(4).toString('hex')}`;
  const config = loadConfig({
    ASSENT_NATS_URL: o.natsUrl,
    ASSENT_REDIS_URL: o.redisUrl,
    ASSENT_SUBJECT_ROOT: root,
    ASSENT_LOG_LEVEL: 'warn',
    // Nothing is authenticated here: the domain is called with principals directly.
    ASSENT_JWKS_URL: 'http://127.0.0.1:9/unused',
    ASSENT_JWT_ISSUER: 'https://bench.invalid',
    AUTHZ_OPENFGA_API_URL: o.openfgaUrl,
    AUTHZ_OPENFGA_STORE_NAME: root,
    ...(o.openfgaKeyFile ? { AUTHZ_OPENFGA_PRESHARED_KEY_FILE: o.openfgaKeyFile } : {}),
    AUTHZ_GRANT_REAPER_INTERVAL_SECONDS: '0',
  });
  const rt = await createRuntime('authz-bench', config);
  let storeCleanup: (() => Promise<void>) | undefined;
  try {
    const { deps, openFga } = await composeAuthz(rt, config);
    storeCleanup = async () => {
      const key = o.openfgaKeyFile && existsSync(o.openfgaKeyFile) ? readFileSync(o.openfgaKeyFile, 'utf8').trim() : undefined;
      const res = await fetch(`${o.openfgaUrl}/stores/${openFga.storeId}`, { method: 'DELETE', headers: key ? { authorization: `Bearer ${key}` } : {} });
      if (!res.ok) throw new Error(`DELETE store: HTTP ${res.status}`);
    };
    const t = 'bench';
    await createTenant(deps, service, { id: t, displayName: 'Bench' });
    await addTenantMember(deps, service, { tenant: t, user: 'alice' });
    const policy = { id: 'bench', hash: 'b'.repeat(64) };
    await registerProtectedAction(deps, service, { tenant: t, action: 'bench.protected', policy, approvers: ['user:bob'] });
    await registerProtectedAction(deps, service, { tenant: t, action: 'bench.routine', policy, approvers: ['user:bob'], conditions: [{ name: 'large', when: 'context.amount > 10000' }] });
    await writeGrant(deps, service, { tenant: t, principal: 'alice', action: 'bench.protected', resource: 'r/1', durationSeconds: 3600, requestId: '01JBENCHBENCHBENCHBENCHBEN' });
    const alice = user('alice', t);
    const routine = { tenant: t, principal: '', action: 'bench.routine', resource: 'r/1', context: { amount: 1 } };
    const protectedQ = { tenant: t, principal: '', action: 'bench.protected', resource: 'r/1' };
    const fresh = { ...protectedQ, consistency: 'FULL' as const };
    for (const q of [routine, protectedQ, fresh]) {
      const r = await checkAccess(deps, alice, q);
      if (r.decision !== 'ALLOW') throw new Error(`in-process Check answers ${r.decision} to ${JSON.stringify(q)}`);
    }
    const phase = async (name: string, call: () => Promise<unknown>): Promise<InProcessPhase> => {
      const latency = new Latency();
      process.stderr.write(`${name}: ${o.concurrency} concurrent callers for ${o.seconds} s…\n`);
      const cpu0 = process.cpuUsage();
      const seconds = await closedLoop({ concurrency: o.concurrency, seconds: o.seconds }, latency, async () => void (await call()), fail);
      const cpu = process.cpuUsage(cpu0);
      return { name, seconds, latency, checks: latency.count, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
    };
    return [
      await phase('in-process Check, cached, routine', () => checkAccess(deps, alice, routine)),
      await phase('in-process Check, cached, protected', () => checkAccess(deps, alice, protectedQ)),
      await phase('in-process Check, uncached: CONSISTENCY_FULL', () => checkAccess(deps, alice, fresh)),
    ];
  } finally {
    await storeCleanup?.().catch((err: unknown) => process.stderr.write(`could not delete the bench's OpenFGA store: ${String(err)}\n`));
    await rt.stop();
    await Promise.all([cleanupNats(root, o.natsUrl), cleanupRedis(root, o.redisUrl)]);
  }
}

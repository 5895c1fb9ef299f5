/**
 * Timers with replicas: three approvals processes share the timer shards, requests
 * with pending expiries are open, and the process that owns the shards is SIGKILLed
 * before they fall due. Each request still expires, exactly once: one expired event
 * per request, none twice, and every request ends EXPIRED.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import getPort from 'get-port';
import { spawnApprovals, waitServing } from './support/approvals-process.js';
import { Kvm } from '@nats-io/kv';
import { DeliverPolicy } from '@nats-io/jetstream';
import { connectNats, createGrpcClient, createLogger, DEFAULT_LEASE_TTL_MS, names, openChannel, parseEvent, staticToken, TIMER_SHARDS, type Nats } from '@assent/platform';
import { approvalsv1, authzv1 } from '@assent/proto';
import { startAuthz, type RunningAuthz } from '@assent/authz';
import { loadConfig as authzConfig } from '@assent/authz/config';
import { cleanupNats, cleanupRedis, commonTestEnv, startOpenFga, startTestIssuer, testEnv, uniqueRoot, type RunningOpenFga, type TestIssuer } from '@assent/testkit';

const root = uniqueRoot();
const n = names(root);
const REQUESTS = 40;
let fga: RunningOpenFga;
let issuer: TestIssuer;
let authz: RunningAuthz;
let nats: Nats;
const children: ChildProcess[] = [];
const ports: number[] = [];


beforeAll(async () => {
  [fga, issuer] = await Promise.all([startOpenFga(), startTestIssuer()]);
  const common = commonTestEnv(root, issuer);
  authz = await startAuthz(authzConfig({ ...common, AUTHZ_GRPC_PORT: '0', AUTHZ_HTTP_PORT: '0', ...fga.authzEnv, AUTHZ_OPENFGA_STORE_NAME: root }));
  nats = await connectNats(testEnv.natsUrl, 'timers-kill-test', createLogger('timers-kill-test', 'silent'));
  const channel = openChannel(`127.0.0.1:${authz.grpcPort}`);
  const admin = createGrpcClient(authzv1.AuthzServiceDefinition, channel, staticToken(await issuer.token({ subject: 'root', roles: ['platform-admin'] })));
  await admin.createTenant({ id: 'acme', displayName: 'Acme' });
  for (const u of ['alice', 'bob']) await admin.addTenantMember({ tenant: 'acme', user: u });
  channel.close();
  // Started one after another; the shards then spread over the three.
  for (let i = 0; i < 3; i++) {
    const port = await getPort({ host: '127.0.0.1' });
    const env = { ...common, APPROVALS_GRPC_PORT: String(port), APPROVALS_HTTP_PORT: String(await getPort({ host: '127.0.0.1' })), APPROVALS_AUTHZ_ADDR: `127.0.0.1:${authz.grpcPort}` };
    children.push(spawnApprovals(env));
    ports.push(port);
    await waitServing(port);
  }
}, 180_000);

afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await nats?.drain();
  await authz?.stop();
  await Promise.all([fga?.stop(), issuer?.stop()]);
  await Promise.all([cleanupNats(root), cleanupRedis(root)]);
});

describe('timers when the replica that owns them is killed', () => {
  it('expires every request once', async () => {
    const survivor = openChannel(`127.0.0.1:${ports[2]}`);
    const as = async (subject: string, roles: string[] = []) =>
      createGrpcClient(approvalsv1.ApprovalsServiceDefinition, survivor, staticToken(await issuer.token({ subject, tenant: 'acme', roles })));
    // Who owns the shards: the lease values name the holder's pid. Each replica holds its share.
    const leases = await new Kvm(nats.nc).open(`${n.upper}_leases_${DEFAULT_LEASE_TTL_MS}`);
    const shardsOf = async () => {
      const count = new Map<number, number>();
      for (let s = 0; s < TIMER_SHARDS; s++) {
        const pid = Number(/-(\d+)-[0-9a-f]+$/.exec((await leases.get(`timers.request.${s}`))?.string() ?? '')?.[1]);
        count.set(pid, (count.get(pid) ?? 0) + 1);
      }
      return children.map((c) => count.get(c.pid ?? -1) ?? 0).sort();
    };
    await expect.poll(shardsOf, { timeout: 30_000, interval: 500 }).toEqual([2, 3, 3]);
    await (await as('root', ['admin'])).putPolicy({
      tenant: 'acme',
      policy: approvalsv1.Policy.fromPartial({ id: 'p', action: 'payouts.change_details', approvers: ['user:bob'], grantDurationSeconds: '600', schedule: { expireAfterSeconds: '4' } }),
    });
    const alice = await as('alice');
    const ids: string[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      const r = await alice.createRequest({ tenant: 'acme', action: 'payouts.change_details', resource: `r/${i}`, justification: '', idempotencyKey: '' });
      ids.push(r.request?.id as string);
    }

    // One owner dies without a word, with every timer pending; its shards pass to the other two.
    expect(await shardsOf()).toEqual([2, 3, 3]);
    children[0]?.kill('SIGKILL');

    // Every request expires (the lease passes to a live replica within its TTL).
    const subject = `${root}.evt.acme.approval.expired`;
    const published = async () => (await nats.jsm.streams.info(n.eventsStream, { subjects_filter: subject })).state.subjects?.[subject] ?? 0;
    await expect.poll(published, { timeout: 30_000, interval: 500 }).toBe(REQUESTS);
    // Let anything that would fire twice do so before counting.
    await new Promise((r) => setTimeout(r, 2_000));
    expect(await published()).toBe(REQUESTS);
    const consumer = await nats.js.consumers.get(n.eventsStream, { filter_subjects: subject, deliver_policy: DeliverPolicy.All });
    const expired: string[] = [];
    for await (const m of await consumer.fetch({ max_messages: REQUESTS, expires: 5_000 })) {
      expired.push(parseEvent(m.data).subject.replace('request/', ''));
      if (expired.length >= REQUESTS) break;
    }
    expect(expired.sort()).toEqual([...ids].sort());
    for (const id of ids.slice(0, 5)) expect((await alice.getRequest({ tenant: 'acme', id })).request?.state).toBe(approvalsv1.RequestState.REQUEST_STATE_EXPIRED);
    survivor.close();
  });
});

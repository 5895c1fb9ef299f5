/**
 * No dual-write gap: approvals is SIGKILLed while requests are being created and
 * approved. After a restart, every stored transition has exactly its event on the
 * event stream, and no event exists for a transition that was not stored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import getPort from 'get-port';
import { spawnApprovals, waitServing } from './support/approvals-process.js';
import { DeliverPolicy } from '@nats-io/jetstream';
import { connectNats, createGrpcClient, createLogger, names, openChannel, parseEvent, staticToken, type Nats } from '@assent/platform';
import { approvalsv1, authzv1 } from '@assent/proto';
import { startAuthz, type RunningAuthz } from '@assent/authz';
import { loadConfig as authzConfig } from '@assent/authz/config';
import { cleanupNats, cleanupRedis, commonTestEnv, startOpenFga, startTestIssuer, testEnv, uniqueRoot, type RunningOpenFga, type TestIssuer } from '@assent/testkit';

const root = uniqueRoot();
const n = names(root);
let fga: RunningOpenFga;
let issuer: TestIssuer;
let authz: RunningAuthz;
let nats: Nats;
let approvalsPort: number;
let child: ChildProcess | undefined;



let env: Record<string, string>;

beforeAll(async () => {
  [fga, issuer] = await Promise.all([startOpenFga(), startTestIssuer()]);
  const common = commonTestEnv(root, issuer);
  authz = await startAuthz(authzConfig({ ...common, AUTHZ_GRPC_PORT: '0', AUTHZ_HTTP_PORT: '0', ...fga.authzEnv, AUTHZ_OPENFGA_STORE_NAME: root }));
  approvalsPort = await getPort({ host: '127.0.0.1' });
  env = { ...common, APPROVALS_GRPC_PORT: String(approvalsPort), APPROVALS_HTTP_PORT: String(await getPort({ host: '127.0.0.1' })), APPROVALS_AUTHZ_ADDR: `127.0.0.1:${authz.grpcPort}` };
  nats = await connectNats(testEnv.natsUrl, 'crash-test', createLogger('crash-test', 'silent'));
  const channel = openChannel(`127.0.0.1:${authz.grpcPort}`);
  const admin = createGrpcClient(authzv1.AuthzServiceDefinition, channel, staticToken(await issuer.token({ subject: 'root', roles: ['platform-admin'] })));
  await admin.createTenant({ id: 'acme', displayName: 'Acme' });
  for (const u of ['alice', 'bob']) await admin.addTenantMember({ tenant: 'acme', user: u });
  channel.close();
}, 120_000);

afterAll(async () => {
  child?.kill('SIGKILL');
  await nats?.drain();
  await authz?.stop();
  await Promise.all([fga?.stop(), issuer?.stop()]);
  await Promise.all([cleanupNats(root), cleanupRedis(root)]);
});

describe('approvals killed mid-flight', () => {
  it('loses no event and emits none for a transition that did not happen', async () => {
    child = spawnApprovals(env);
    await waitServing(approvalsPort);
    const channel = openChannel(`127.0.0.1:${approvalsPort}`);
    const as = async (subject: string, roles: string[] = []) =>
      createGrpcClient(approvalsv1.ApprovalsServiceDefinition, channel, staticToken(await issuer.token({ subject, tenant: 'acme', roles })));
    await (await as('root', ['admin'])).putPolicy({
      tenant: 'acme',
      policy: { id: 'p', action: 'payouts.change_details', approvers: ['user:bob'], quorum: 1, allowSelfApproval: false, requireJustification: false, grantDurationSeconds: '600', slackChannel: '', hash: '' },
    });
    const alice = await as('alice');
    const bob = await as('bob');

    // Load: create+approve loops, while the process is SIGKILLed after 1.5 s.
    const acknowledged = { created: new Set<string>(), approved: new Set<string>() };
    let stop = false;
    let i = 0;
    const worker = async () => {
      while (!stop) {
        try {
          const r = await alice.createRequest({ tenant: 'acme', action: 'payouts.change_details', resource: `r/${i++}`, justification: '', idempotencyKey: '' });
          if (!r.request) continue;
          acknowledged.created.add(r.request.id);
          await bob.approve({ tenant: 'acme', id: r.request.id, comment: 'verified' });
          acknowledged.approved.add(r.request.id);
        } catch {
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    };
    const load = Promise.all(Array.from({ length: 8 }, worker));
    await new Promise((r) => setTimeout(r, 1_500));
    child.kill('SIGKILL');
    await new Promise((r) => child?.once('exit', r));
    expect(acknowledged.created.size).toBeGreaterThan(0);
    child = spawnApprovals(env);
    await waitServing(approvalsPort);
    await new Promise((r) => setTimeout(r, 500));
    stop = true;
    await load;
    channel.close();

    // The outbox relay catches up after the restart.
    const stateStream = n.stateStream('request');
    await expect
      .poll(async () => (await nats.jsm.consumers.info(stateStream, 'request-outbox')).num_pending + (await nats.jsm.consumers.info(stateStream, 'request-outbox')).num_ack_pending, { timeout: 30_000 })
      .toBe(0);

    // What was stored: each request's latest state.
    const info = await nats.jsm.streams.info(stateStream, { subjects_filter: `${root}.state.request.acme.*` });
    const stored = new Map<string, string>();
    for (const subject of Object.keys(info.state.subjects ?? {})) {
      const msg = await nats.jsm.streams.getMessage(stateStream, { last_by_subj: subject });
      const value = msg?.json<{ value: { id: string; state: string } }>().value;
      if (value) stored.set(value.id, value.state);
    }

    // What was published: every approval event for the tenant.
    const consumer = await nats.js.consumers.get(n.eventsStream, { filter_subjects: `${root}.evt.acme.approval.>`, deliver_policy: DeliverPolicy.All });
    const total = (await nats.jsm.streams.info(n.eventsStream, { subjects_filter: `${root}.evt.acme.approval.>` })).state.subjects;
    const expected = Object.values(total ?? {}).reduce((a, b) => a + b, 0);
    const events: { type: string; id: string }[] = [];
    const messages = await consumer.fetch({ max_messages: expected, expires: 5_000 });
    for await (const m of messages) {
      const e = parseEvent(m.data);
      events.push({ type: e.type, id: e.subject.replace('request/', '') });
      if (events.length === expected) break;
    }
    expect(events).toHaveLength(expected);

    const count = (type: string, id: string) => events.filter((e) => e.type === type && e.id === id).length;
    for (const [id, state] of stored) {
      expect(count('assent.approval.requested.v1', id), `requested event of ${id}`).toBe(1);
      expect(count('assent.approval.decided.v1', id), `decided event of ${id} (${state})`).toBe(state === 'APPROVED' ? 1 : 0);
    }
    for (const e of events) expect(stored.has(e.id), `event for unknown request ${e.id}`).toBe(true);
    // Everything the callers were told happened, happened.
    for (const id of acknowledged.created) expect(stored.has(id)).toBe(true);
    for (const id of acknowledged.approved) expect(stored.get(id)).toBe('APPROVED');
  }, 120_000);
});

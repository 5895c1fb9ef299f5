import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '@nats-io/transport-node';
import { AckPolicy, DeliverPolicy, jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { startNatsServer, type RunningNatsServer } from '@assent/testkit';
import { connectNats, createLogger, ensureEventStreams, names, natsServers, StreamEntityStore, type Nats, type NatsServiceUser } from '@assent/platform';

/**
 * The NATS server itself refuses what a service's user may not do (its own private
 * server with the generated users; never the machine's shared one).
 */
const root = 'permtest';
const n = names(root);
let server: RunningNatsServer;
const conns: Nats[] = [];
const as = async (service: NatsServiceUser) => {
  const c = await connectNats(server.urlFor(service), `perm-${service}`, createLogger('perm', 'silent'));
  conns.push(c);
  return c;
};
const refused = /permissions violation/i;

beforeAll(async () => {
  server = await startNatsServer({ auth: { root } });
  // The streams and buckets exist, as the services would have made them.
  const admin = await connectNats(server.url, 'perm-admin', createLogger('perm', 'silent'));
  conns.push(admin);
  await ensureEventStreams(admin.jsm, n);
  await new StreamEntityStore(admin, n, 'request').ensure();
  const endpoints = await new Kvm(admin.nc).create(`${n.upper}_delivery_endpoints`, { history: 5 });
  await endpoints.put('acme.ep1', '{"sealedSecret":"…"}');
}, 30_000);

afterAll(async () => {
  for (const c of conns) await c.drain().catch(() => undefined);
  await server?.stop();
});

describe('NATS users per service', () => {
  it('lets only approvals write request state: a forged "approved" from another service is refused by the server', async () => {
    const approvals = await as('approvals');
    await expect(approvals.js.publish(`${root}.state.request.acme.R1`, '{"value":{"state":"PENDING"},"events":[]}')).resolves.toMatchObject({ seq: expect.any(Number) });
    for (const forger of ['notifier', 'delivery', 'audit', 'authz'] as const) {
      const c = await as(forger);
      await expect(c.js.publish(`${root}.state.request.acme.R1`, '{"value":{"state":"APPROVED"},"events":[]}', { timeout: 2_000 })).rejects.toThrow(refused);
    }
  });

  it('lets only an event’s producer publish it: no forged decisions for delivery to sign', async () => {
    const approvals = await as('approvals');
    await expect(approvals.js.publish(n.event('acme', 'approval', 'decided'), '{}')).resolves.toBeDefined();
    for (const forger of ['notifier', 'delivery', 'audit'] as const) {
      await expect((await as(forger)).js.publish(n.event('acme', 'approval', 'decided'), '{}', { timeout: 2_000 })).rejects.toThrow(refused);
    }
    await expect((await as('approvals')).js.publish(n.event('acme', 'authz', 'checked'), '{}', { timeout: 2_000 })).rejects.toThrow(refused);
  });

  it('keeps the webhook endpoints bucket to delivery, and the audit stream to audit', async () => {
    const notifier = await as('notifier');
    await expect(notifier.jsm.direct.getMessage(`KV_${n.upper}_delivery_endpoints`, { last_by_subj: `$KV.${n.upper}_delivery_endpoints.acme.ep1` })).rejects.toThrow(refused);
    await expect(notifier.js.consumers.get(`KV_${n.upper}_delivery_endpoints`).then((c) => c.next({ expires: 1_000 }))).rejects.toThrow(refused);
    await expect(new Kvm(notifier.nc).open(`${n.upper}_delivery_endpoints`).then((kv) => kv.put('acme.ep2', '{}'))).rejects.toThrow(refused);
    const delivery = await as('delivery');
    const own = await delivery.jsm.direct.getMessage(`KV_${n.upper}_delivery_endpoints`, { last_by_subj: `$KV.${n.upper}_delivery_endpoints.acme.ep1` });
    expect(own?.string()).toContain('sealedSecret');
    await expect((await as('approvals')).js.publish(`${root}.audit.acme`, '{}', { timeout: 2_000 })).rejects.toThrow(refused);
  });

  it('lets only audit make and append to its checkpoint stream: no forged signed checkpoints in it', async () => {
    const audit = await as('audit');
    await audit.jsm.streams.add({ name: `${n.upper}_AUDIT_CHECKPOINTS`, subjects: [`${root}.auditcp.>`] });
    await expect(audit.js.publish(`${root}.auditcp.acme`, '{}')).resolves.toMatchObject({ seq: 1 });
    for (const forger of ['approvals', 'notifier', 'delivery', 'authz'] as const) {
      await expect((await as(forger)).js.publish(`${root}.auditcp.acme`, '{}', { timeout: 2_000 })).rejects.toThrow(refused);
    }
    await expect((await as('notifier')).jsm.streams.getMessage(`${n.upper}_AUDIT_CHECKPOINTS`, { seq: 1 })).rejects.toThrow(refused);
  });

  it('keeps each service out of the streams it does not use: no reading request state or the audit chain', async () => {
    const approvals = await as('approvals');
    await approvals.js.publish(`${root}.state.request.acme.R9`, '{"value":{"state":"PENDING","justification":"secret"},"events":[]}');
    for (const reader of ['notifier', 'delivery', 'audit', 'authz'] as const) {
      const c = await as(reader);
      await expect(c.jsm.direct.getMessage(n.stateStream('request'), { last_by_subj: `${root}.state.request.acme.R9` }), reader).rejects.toThrow(refused);
      await expect(c.js.consumers.get(n.stateStream('request')).then((x) => x.next({ expires: 1_000 })), reader).rejects.toThrow(refused);
      await expect(c.jsm.streams.info(n.stateStream('request')), reader).rejects.toThrow(refused);
    }
    // Its own streams, and the shared events stream, as before.
    expect((await approvals.jsm.direct.getMessage(n.stateStream('request'), { last_by_subj: `${root}.state.request.acme.R9` }))?.string()).toContain('PENDING');
    expect((await (await as('notifier')).jsm.streams.info(n.eventsStream)).config.name).toBe(n.eventsStream);
    // On the shared events stream a service uses only its own durables: the notifier
    // cannot pull from (and so take events away from) audit's.
    const admin = conns[0] as Nats;
    await admin.jsm.consumers.add(n.eventsStream, { durable_name: 'audit', ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.New });
    await approvals.js.publish(n.event('acme', 'approval', 'requested'), '{}');
    await expect((await as('notifier')).js.consumers.get(n.eventsStream, 'audit').then((c) => c.next({ expires: 1_000 }))).rejects.toThrow(refused);
    await expect((await as('notifier')).jsm.consumers.delete(n.eventsStream, 'audit')).rejects.toThrow(refused);
    expect((await (await as('audit')).js.consumers.get(n.eventsStream, 'audit').then((c) => c.next({ expires: 2_000 })))?.subject).toBe(n.event('acme', 'approval', 'requested'));
    // The server logs each refusal (what the three-replica test checks is empty).
    expect(await server.permissionViolations()).toEqual(expect.arrayContaining([expect.stringMatching(/Publish Violation - User "\w+", Subject "\$JS\.API\.[A-Z.]+\.PERMTEST_STATE_REQUEST/)]));
  });

  it('lets no service delete or purge a stream, or delete a message', async () => {
    for (const s of ['approvals', 'audit'] as const) {
      const c = await as(s);
      await expect(c.jsm.streams.purge(n.eventsStream)).rejects.toThrow(refused);
      await expect(c.jsm.streams.delete(n.stateStream('request'))).rejects.toThrow(refused);
      await expect(c.jsm.streams.deleteMessage(n.stateStream('request'), 1)).rejects.toThrow(refused);
    }
    const nc = await connect(natsServers(server.url));
    expect((await (await jetstreamManager(nc)).streams.info(n.stateStream('request'))).state.messages).toBe(2);
    await nc.close();
  });

  it('refuses a connection without credentials, or with another user’s password', async () => {
    const plain = server.url.replace(/\/\/[^@]*@/, '//');
    await expect(connect({ servers: plain, reconnect: false, timeout: 2_000 })).rejects.toThrow(/authorization/i);
    const wrong = server.urlFor('approvals').replace(/:[^:@/]+@/, ':not-the-password@');
    await expect(connect({ ...natsServers(wrong), reconnect: false, timeout: 2_000 })).rejects.toThrow(/authorization/i);
  });
});

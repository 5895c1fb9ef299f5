import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventPublisher, UnavailableError, connectNats, createLogger, ensureEventStreams, eventConsumerNames, names, newEvent, startLease, type Nats } from '@assent/platform';
import { startNatsServer, uniqueRoot, type RunningNatsServer } from '@assent/testkit';
import { JetStreamRecordedDecisions } from '../src/adapters/jetstream/recorded-decisions.js';

/**
 * The newest recorded decisions, read as authz's own NATS user (least privilege:
 * one named consumer on the events stream), on a private server the test stops.
 */
const root = uniqueRoot();
const n = names(root);
const logger = createLogger('test', 'silent');
let server: RunningNatsServer;
let admin: Nats;
let authz: Nats;

beforeAll(async () => {
  server = await startNatsServer({ auth: { root } });
  admin = await connectNats(server.url, 'recorded-admin', logger);
  authz = await connectNats(server.urlFor('authz'), 'recorded-authz', logger);
  await ensureEventStreams(admin.jsm, n);
}, 30_000);

afterAll(async () => {
  await Promise.all([admin?.drain(), authz?.drain()]);
  await server?.stop();
});

describe('JetStreamRecordedDecisions', () => {
  it('returns the newest decisions, newest first, skipping other events and counting unreadable ones, and leaves no consumer', async () => {
    const publisher = new EventPublisher(admin.js, n);
    const ids: string[] = [];
    for (let i = 0; i < 400; i++) {
      const tenant = i % 3 === 0 ? 'globex' : 'acme';
      const checked = newEvent({
        type: 'assent.authz.checked.v1',
        service: 'authz',
        subject: 'decision/payouts.change_details',
        tenant,
        time: new Date(Date.UTC(2030, 0, 1, 0, 0, i)),
        data: { tenant, principal: `u${i}`, action: 'payouts.change_details', resource: 'acct/1', decision: i % 2 ? 'DECISION_ALLOW' : 'DECISION_NEEDS_APPROVAL', reason: '', modelId: 'm', ...(i % 5 === 0 ? { matchedCondition: { name: 'large', when: 'x' } } : {}) },
      });
      ids.push(checked.id);
      await publisher.publish(checked);
      // Other events in between: the stream is every event, not just decisions.
      if (i % 4 === 0) await publisher.publish(newEvent({ type: 'assent.approval.requested.v1', service: 'approvals', subject: `request/${i}`, tenant, data: {} }));
    }
    await admin.js.publish(n.event('acme', 'authz', 'checked'), 'not a cloud event');

    const recorded = new JetStreamRecordedDecisions(authz, n, logger);
    const { decisions, unreadable } = await recorded.newest(50);
    expect(unreadable).toBe(1);
    expect(decisions.map((d) => d.id)).toEqual(ids.slice(-49).reverse());
    expect(decisions[0]).toEqual({
      id: ids[399],
      tenant: 'globex',
      principal: 'u399',
      action: 'payouts.change_details',
      resource: 'acct/1',
      decidedAt: new Date(Date.UTC(2030, 0, 1, 0, 0, 399)),
      decision: 'ALLOW',
      matchedCondition: undefined,
    });
    expect(decisions.find((d) => d.principal === 'u395')?.matchedCondition).toBe('large');
    const all = await recorded.newest(10_000);
    expect(all.decisions).toHaveLength(400);
    expect(all.decisions.at(-1)?.id).toBe(ids[0]);

    const consumers: string[] = [];
    for await (const c of admin.jsm.consumers.list(n.eventsStream)) consumers.push(c.name);
    expect(consumers).toEqual([]);
    expect(await server.permissionViolations()).toEqual([]);
  });

  it('reads one at a time across replicas: while another holds the read, UNAVAILABLE', async () => {
    const held = await startLease({ nats: admin, names: n, logger, name: eventConsumerNames.authzDecisionReplay, holder: 'another-replica', onAcquired: async () => async () => undefined });
    try {
      expect(held.held()).toBe(true);
      await expect(new JetStreamRecordedDecisions(authz, n, logger).newest(10)).rejects.toThrow(UnavailableError);
    } finally {
      await held.stop();
    }
    // The newest ten records: nine decisions and the unreadable one.
    expect(await new JetStreamRecordedDecisions(authz, n, logger).newest(10)).toMatchObject({ decisions: { length: 9 }, unreadable: 1 });
  });
});

import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChannel, createClient, Status, type ClientError } from 'nice-grpc';
import { BadRequest, RichClientError } from 'nice-grpc-error-details';
import {
  EventPublisher,
  canonicalJson,
  connectNats,
  createGrpcClient,
  createLogger,
  encodeEvent,
  names,
  newEvent,
  openChannel,
  staticToken,
  type AssentEvent,
  type Channel,
  type Nats,
} from '@assent/platform';
import { auditv1 } from '@assent/proto';
import { cleanupNats, cleanupRedis, commonTestEnv, registerTenants, startTestIssuer, testEnv, uniqueRoot, type TestIssuer } from '@assent/testkit';
import { loadConfig } from '../src/config.js';
import { startAudit, type RunningAudit } from '../src/main.js';
import { eventually } from './support/eventually.js';

const root = uniqueRoot();
const n = names(root);
let issuer: TestIssuer;
let audit: RunningAudit;
let channel: Channel;
let nats: Nats;
let publisher: EventPublisher;
const client = (token: string) => createGrpcClient(auditv1.AuditServiceDefinition, channel, staticToken(token));
// A person of the tenant reads its log (service identities may call no audit RPC).
const auditor = async (tenant = 'acme') => client(await issuer.token({ subject: 'auditor', tenant }));

const request = (id: string) => ({ id, tenant: 'acme', action: 'payouts.change_details', resource: 'payout-account/42', requester: 'alice', state: 'REQUEST_STATE_PENDING' });
const emit = <T>(type: string, subject: string, data: T, tenant = 'acme') => newEvent({ type, service: type.split('.')[1] === 'approval' ? 'approvals' : 'authz', subject, tenant, data });

async function listAll(c: Awaited<ReturnType<typeof auditor>>, tenant: string, pageSize = 0) {
  const records: auditv1.AuditRecord[] = [];
  let pageToken = '';
  do {
    const page = await c.listRecords({ tenant, eventType: '', subject: '', pageSize, pageToken });
    records.push(...page.records);
    pageToken = page.nextPageToken;
  } while (pageToken);
  return records;
}

async function waitForRecords(tenant: string, count: number) {
  const c = await auditor(tenant);
  return eventually(async () => {
    const records = await listAll(c, tenant);
    expect(records).toHaveLength(count);
    return records;
  });
}

beforeAll(async () => {
  await registerTenants(root, ['acme', 'globex']);
  issuer = await startTestIssuer();
  audit = await startAudit(loadConfig({ ...commonTestEnv(root, issuer), AUDIT_GRPC_PORT: '0', AUDIT_HTTP_PORT: '0' }));
  channel = openChannel(`127.0.0.1:${audit.grpcPort}`);
  nats = await connectNats(testEnv.natsUrl, 'audit-int-test', createLogger('audit-test', 'silent'));
  publisher = new EventPublisher(nats.js, n);
});

afterAll(async () => {
  channel?.close();
  await nats?.drain();
  await audit?.stop();
  await Promise.all([issuer?.stop(), cleanupNats(root), cleanupRedis(root)]);
});

describe('audit over NATS and gRPC', () => {
  const events: AssentEvent[] = [];

  it('rejects calls without a valid token', async () => {
    const anon = createClient(auditv1.AuditServiceDefinition, createChannel(`127.0.0.1:${audit.grpcPort}`));
    await expect(anon.verifyChain({ tenant: 'acme' })).rejects.toMatchObject({ code: Status.UNAUTHENTICATED });
  });

  it('records every published event in order in a valid hash chain', async () => {
    events.push(
      emit('assent.approval.requested.v1', 'request/r1', { request: request('r1'), slackChannel: '#payouts' }),
      emit('assent.authz.checked.v1', 'decision/payouts.change_details', { tenant: 'acme', principal: 'alice', action: 'payouts.change_details', resource: 'payout-account/42', decision: 'DECISION_NEEDS_APPROVAL' }),
      emit('assent.approval.voted.v1', 'request/r1', { request: request('r1'), vote: { approver: 'bob', outcome: 'OUTCOME_APPROVE', at: '2030-01-01T00:00:00Z' } }),
      emit('assent.approval.decided.v1', 'request/r1', { request: request('r1'), outcome: 'OUTCOME_APPROVE', decidedBy: 'carol' }),
      emit('assent.grant.issued.v1', 'grant/r1', { grant: { tenant: 'acme', principal: 'alice', action: 'payouts.change_details', resource: 'payout-account/42' } }),
    );
    for (const e of events) await publisher.publish(e);

    const records = await waitForRecords('acme', events.length);
    expect(records.map((r) => r.eventId)).toEqual(events.map((e) => e.id));
    expect(records.map((r) => r.sequence)).toEqual(['1', '2', '3', '4', '5']);
    expect(records.map((r) => r.actor)).toEqual(['alice', 'alice', 'bob', 'carol', '/assent/authz']);
    expect(records.map((r) => r.eventType)).toEqual(events.map((e) => e.type));
    expect(records[0]).toMatchObject({ tenant: 'acme', subject: 'request/r1', occurredAt: new Date(events[0]!.time), prevHash: '' });
    expect(JSON.parse(records[4]!.dataJson)).toEqual(events[4]!.data);
    for (let i = 1; i < records.length; i++) expect(records[i]!.prevHash).toBe(records[i - 1]!.hash);

    // Anyone can re-derive a hash from what ListRecords returns (the format-2 recipe in
    // packages/platform/src/audit/record-hash.ts and audit.proto): canonical JSON, keys sorted.
    const r = records[2]!;
    expect(r).toMatchObject({ format: 2, actorType: 'user', action: 'approval.vote', targetKind: 'request', targetId: 'r1', outcome: 'success', category: 'approval', requestId: 'r1' });
    expect(r.payloadHash).toBe(createHash('sha256').update(r.dataJson).digest('hex'));
    const content = canonicalJson({
      actor: r.actor,
      canonical: {
        action: r.action,
        actor: { id: r.actor, ip: r.actorIp, type: r.actorType, userAgent: r.actorUserAgent },
        category: r.category,
        details: JSON.parse(r.detailsJson) as unknown,
        outcome: r.outcome,
        payloadHash: r.payloadHash,
        policyHash: r.policyHash,
        reason: r.reason,
        requestId: r.requestId,
        target: { id: r.targetId, kind: r.targetKind },
        traceId: r.traceId,
      },
      eventId: r.eventId,
      eventType: r.eventType,
      format: 2,
      occurredAt: r.occurredAt!.toISOString(),
      // The data is sealed through its hash, recomputed here from the data returned.
      payloadHash: createHash('sha256').update(canonicalJson(JSON.parse(r.dataJson))).digest('hex'),
      prevHash: r.prevHash,
      recordedAt: r.recordedAt!.toISOString(),
      sequence: 3,
      subject: r.subject,
      tenant: 'acme',
    });
    expect(createHash('sha256').update(r.prevHash).update(content).digest('hex')).toBe(r.hash);
    // A refused authz answer is on record as denied, with the decision's reason.
    expect(records[1]).toMatchObject({ action: 'authz.check', outcome: 'denied', category: 'access', targetKind: 'payout-account', targetId: '42' });
    // The grant was written by a service on approval: the emitting service is the actor, the grantee the target.
    expect(records[4]).toMatchObject({ actorType: 'system', action: 'grant.issue', targetKind: 'principal', targetId: 'alice' });

    const verified = await (await auditor()).verifyChain({ tenant: 'acme' });
    expect(verified).toEqual({ valid: true, records: '5', headHash: records[4]!.hash, firstInvalidSequence: '0', checkpoints: '0', firstInvalidCheckpoint: '0', checkpointedSequence: '0', problem: '' });
  });

  it('records an event once even when it reaches the stream twice', async () => {
    const again = events[1]!;
    // A different Nats-Msg-Id gets past the events stream's dedupe and the consumer's deduper.
    await nats.js.publish(publisher.subjectFor(again), encodeEvent(again), { msgID: `${again.id}-resent` });
    const marker = emit('assent.policy.updated.v1', 'policy/p1', { tenant: 'acme', policy: { id: 'p1' } });
    await publisher.publish(marker);
    const records = await waitForRecords('acme', 6);
    expect(records.map((r) => r.eventId)).toEqual([...events.map((e) => e.id), marker.id]);
    expect(records[5]!.actor).toBe('/assent/authz');
  });

  it('pages and filters over gRPC', async () => {
    const c = await auditor();
    const pages = [];
    let pageToken = '';
    do {
      const page = await c.listRecords({ tenant: 'acme', eventType: '', subject: '', pageSize: 4, pageToken });
      pages.push(page.records.map((r) => Number(r.sequence)));
      pageToken = page.nextPageToken;
    } while (pageToken);
    expect(pages).toEqual([[1, 2, 3, 4], [5, 6]]);
    const inRequest = await c.listRecords({ tenant: 'acme', eventType: '', subject: 'request/r1', pageSize: 0, pageToken: '' });
    expect(inRequest.records.map((r) => r.eventType)).toEqual(['assent.approval.requested.v1', 'assent.approval.voted.v1', 'assent.approval.decided.v1']);
    const decided = await c.listRecords({ tenant: 'acme', eventType: 'assent.approval.decided.v1', subject: '', pageSize: 0, pageToken: '' });
    expect(decided.records.map((r) => r.actor)).toEqual(['carol']);
  });

  it('queries by actor, action, target, outcome and category over gRPC, paging both ways, from the index', async () => {
    const c = await auditor();
    const q = { tenant: 'acme', actor: '', action: '', target: '', outcome: '', category: '', since: undefined, until: undefined, pageSize: 0, pageToken: '' };
    const bob = await c.queryRecords({ ...q, actor: 'bob' });
    expect(bob.records.map((r) => [r.action, r.targetKind, r.targetId])).toEqual([['approval.vote', 'request', 'r1']]);
    expect(bob.until!.getTime() - bob.since!.getTime()).toBe(31 * 86_400_000);
    const denied = await c.queryRecords({ ...q, outcome: 'denied', category: 'access' });
    expect(denied.records.map((r) => r.action)).toEqual(['authz.check']);
    expect((await c.queryRecords({ ...q, target: 'request/r1', actor: 'carol' })).records.map((r) => r.action)).toEqual(['approval.decide']);
    expect((await c.queryRecords({ ...q, actor: 'nobody' })).records).toEqual([]);

    const all = await c.queryRecords(q);
    const pages: string[][] = [];
    let page = await c.queryRecords({ ...q, pageSize: 4 });
    pages.push(page.records.map((r) => r.sequence));
    while (page.nextPageToken) {
      page = await c.queryRecords({ ...q, pageSize: 4, pageToken: page.nextPageToken });
      pages.push(page.records.map((r) => r.sequence));
    }
    expect(pages.flat()).toEqual(all.records.map((r) => r.sequence));
    expect(pages.flat()).toHaveLength(6);
    const back = await c.queryRecords({ ...q, pageSize: 4, pageToken: page.previousPageToken });
    expect(back.records.map((r) => r.sequence)).toEqual(pages[0]);
    expect(back.previousPageToken).toBe('');
  });

  it('answers a bad query with INVALID_ARGUMENT stating the limit, and another tenant with PERMISSION_DENIED', async () => {
    const c = await auditor();
    const q = { tenant: 'acme', actor: '', action: '', target: '', outcome: '', category: '', since: undefined, until: undefined, pageSize: 0, pageToken: '' };
    const wide = await c.queryRecords({ ...q, since: new Date('2030-01-01T00:00:00Z'), until: new Date('2030-03-01T00:00:00Z') }).then(() => undefined, (e: unknown) => e);
    expect((wide as ClientError).code).toBe(Status.INVALID_ARGUMENT);
    expect((wide as ClientError).details).toMatch(/at most 31 days per query/);
    const inverted = await c.queryRecords({ ...q, since: new Date('2030-01-02T00:00:00Z'), until: new Date('2030-01-01T00:00:00Z') }).then(() => undefined, (e: unknown) => e);
    expect((inverted as RichClientError).extra.find((d) => d.$type === BadRequest.$type)).toMatchObject({ fieldViolations: [{ field: 'since', description: expect.stringMatching(/must be before until/) }] });
    await expect(c.queryRecords({ ...q, pageToken: 'garbage' })).rejects.toMatchObject({ code: Status.INVALID_ARGUMENT, details: expect.stringMatching(/page token/) });
    const intruder = client(await issuer.token({ subject: 'mallory', tenant: 'globex' }));
    await expect(intruder.queryRecords({ ...q })).rejects.toMatchObject({ code: Status.PERMISSION_DENIED });
  });

  it('lets users read only their own tenant', async () => {
    const alice = client(await issuer.token({ subject: 'alice', tenant: 'acme' }));
    const intruder = client(await issuer.token({ subject: 'mallory', tenant: 'globex' }));
    expect((await alice.listRecords({ tenant: 'acme', eventType: '', subject: '', pageSize: 1, pageToken: '' })).records).toHaveLength(1);
    await expect(intruder.listRecords({ tenant: 'acme', eventType: '', subject: '', pageSize: 0, pageToken: '' })).rejects.toMatchObject({ code: Status.PERMISSION_DENIED });
    await expect(intruder.verifyChain({ tenant: 'acme' })).rejects.toMatchObject({ code: Status.PERMISSION_DENIED });
    expect((await intruder.listRecords({ tenant: 'globex', eventType: '', subject: '', pageSize: 0, pageToken: '' })).records).toEqual([]);
    expect(await intruder.verifyChain({ tenant: 'globex' })).toEqual({ valid: true, records: '0', headHash: '', firstInvalidSequence: '0', checkpoints: '0', firstInvalidCheckpoint: '0', checkpointedSequence: '0', problem: '' });
  });

  it('answers INVALID_ARGUMENT with field violations for a bad tenant or page token', async () => {
    const c = await auditor();
    const err = await c.listRecords({ tenant: 'Bad Tenant', eventType: '', subject: '', pageSize: 0, pageToken: '' }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(RichClientError);
    expect((err as ClientError).code).toBe(Status.INVALID_ARGUMENT);
    const violations = (err as RichClientError).extra.find((d) => d.$type === BadRequest.$type) as BadRequest;
    expect(violations.fieldViolations.map((v) => v.field)).toEqual(['tenant']);
    await expect(c.listRecords({ tenant: 'acme', eventType: '', subject: '', pageSize: 0, pageToken: 'garbage' })).rejects.toMatchObject({ code: Status.INVALID_ARGUMENT });
    await expect(c.verifyChain({ tenant: '' })).rejects.toMatchObject({ code: Status.INVALID_ARGUMENT });
  });

  it('parks malformed events in the DLQ and leaves the chain unchanged', async () => {
    const spoofed = emit('assent.policy.updated.v1', 'policy/p2', { tenant: 'acme' });
    // Claims tenant acme but is published under globex: must not enter acme's chain.
    await nats.js.publish(n.event('globex', 'policy', 'updated'), encodeEvent(spoofed), { msgID: spoofed.id });
    await nats.js.publish(n.event('acme', 'policy', 'updated'), 'not json', { msgID: 'garbage-1' });
    // A well-formed event of a type the audit table has no mapping for: parked, not recorded half-mapped.
    await publisher.publish(emit('assent.approval.teleported.v1', 'request/r9', { request: request('r9') }));
    const reasons = await eventually(async () => {
      const found: string[] = [];
      for (let seq = 1; ; seq++) {
        const msg = await nats.jsm.streams.getMessage(n.dlqStream, { seq }).catch(() => null);
        if (!msg) break;
        if (msg.subject === n.dlq('audit')) found.push(msg.header?.get('Assent-Dlq-Reason') ?? '');
      }
      expect(found).toHaveLength(3);
      return found;
    });
    expect(reasons.join('\n')).toMatch(/no audit mapping for event type "assent.approval.teleported.v1"/);
    expect(reasons.join('\n')).toMatch(/does not match subject/);
    expect(reasons.join('\n')).toMatch(/not an Assent CloudEvent/);
    expect(await listAll(await auditor(), 'acme')).toHaveLength(6);
    expect(await listAll(await auditor('globex'), 'globex')).toHaveLength(0);
  });
});

describe('a tenant that does not exist', () => {
  it('is NOT_FOUND for list and verify, not an empty log or a valid empty chain', async () => {
    const ghost = await auditor('ghost');
    await expect(ghost.listRecords({ tenant: 'ghost', eventType: '', subject: '', pageSize: 0, pageToken: '' })).rejects.toMatchObject({ code: Status.NOT_FOUND });
    await expect(ghost.verifyChain({ tenant: 'ghost' })).rejects.toMatchObject({ code: Status.NOT_FOUND });
  });
});

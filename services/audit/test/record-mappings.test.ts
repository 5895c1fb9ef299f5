import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { canonicalFieldsOf, traceIdOf } from '../src/domain/canonical-fields.js';
import { recordMappings } from '../src/domain/record-mappings.js';
import type { CanonicalFields, JsonValue } from '../src/domain/types.js';
import { UnmappedEventError } from '../src/domain/unmapped-event-error.js';
import { sourceEvent } from './support/deps.js';

const request = { id: 'r1', requester: 'alice', action: 'keys.rotate', resource: 'key/k1', state: 'REQUEST_STATE_PENDING', policyHash: 'ph1', justification: 'rotation due' };
const approvals = '/assent/approvals';
const authz = '/assent/authz';

type Expected = Partial<Omit<CanonicalFields, 'payloadHash' | 'traceId'>>;

/** One row per event type: the payload a producer sends and what the record must say. */
const rows: [type: string, data: JsonValue, subject: string, expected: Expected][] = [
  ['assent.approval.requested.v1', { request, slackChannel: '' }, 'request/r1', { actor: { type: 'user', id: 'alice', ip: '', userAgent: '' }, action: 'approval.request', target: { kind: 'request', id: 'r1' }, outcome: 'success', reason: 'rotation due', policyHash: 'ph1', requestId: 'r1', category: 'approval', details: { requestAction: 'keys.rotate', resource: 'key/k1', state: 'REQUEST_STATE_PENDING' } }],
  ['assent.approval.voted.v1', { request, vote: { approver: 'bob', outcome: 'OUTCOME_APPROVE', comment: 'ok', onBehalfOf: '', via: { service: 'service:notifier', channel: 'ACTING_CHANNEL_SLACK' } } }, 'request/r1', { actor: { type: 'user', id: 'bob', ip: '', userAgent: '' }, action: 'approval.vote', reason: 'ok', requestId: 'r1', details: { vote: 'OUTCOME_APPROVE', onBehalfOf: '', via: { service: 'service:notifier', channel: 'ACTING_CHANNEL_SLACK' } } }],
  ['assent.approval.decided.v1', { request, outcome: 'OUTCOME_DECLINE', decidedBy: 'carol' }, 'request/r1', { actor: { type: 'user', id: 'carol', ip: '', userAgent: '' }, action: 'approval.decide', outcome: 'success', details: { decision: 'OUTCOME_DECLINE', requestAction: 'keys.rotate' } }],
  ['assent.approval.changes_requested.v1', { request, actor: 'bob', reason: 'attach the letter' }, 'request/r1', { actor: { type: 'user', id: 'bob', ip: '', userAgent: '' }, action: 'approval.request_changes', reason: 'attach the letter' }],
  ['assent.approval.resubmitted.v1', { request, actor: 'alice', reason: 'attached' }, 'request/r1', { action: 'approval.resubmit', reason: 'attached', category: 'approval' }],
  ['assent.approval.commented.v1', { request, actor: 'dave', reason: 'fyi' }, 'request/r1', { action: 'approval.comment', actor: { type: 'user', id: 'dave', ip: '', userAgent: '' } }],
  ['assent.approval.cancelled.v1', { request, actor: 'alice', reason: 'not needed' }, 'request/r1', { action: 'approval.cancel', reason: 'not needed' }],
  ['assent.approval.snoozed.v1', { request, actor: 'bob', reason: 'until 2030-01-02T00:00:00.000Z' }, 'request/r1', { action: 'approval.snooze' }],
  ['assent.approval.reassigned.v1', { request, actor: 'bob', reason: 'on leave' }, 'request/r1', { action: 'approval.reassign' }],
  ['assent.approval.edited.v1', { request, actor: 'bob', reason: 'lower amount' }, 'request/r1', { action: 'approval.edit', reason: 'lower amount' }],
  ['assent.approval.grant_extended.v1', { request, actor: 'alice', reason: 'more time' }, 'request/r1', { action: 'grant.extend', category: 'access', requestId: 'r1' }],
  ['assent.approval.break_glass.v1', { request, actor: 'alice', reason: 'outage', severity: 'high' }, 'request/r1', { action: 'approval.break_glass', category: 'security', reason: 'outage', details: { severity: 'high' } }],
  ['assent.approval.break_glass_reviewed.v1', { request: { ...request, breakGlass: { verdict: 'BREAK_GLASS_VERDICT_JUSTIFIED' } }, actor: 'carol', reason: 'fine', severity: 'info' }, 'request/r1', { action: 'approval.break_glass_review', category: 'security', actor: { type: 'user', id: 'carol', ip: '', userAgent: '' }, details: { verdict: 'BREAK_GLASS_VERDICT_JUSTIFIED' } }],
  ['assent.approval.expired.v1', { request, timer: 'expiry', scheduledAt: '2030-01-01T00:00:00.000Z', notify: ['bob'] }, 'request/r1', { action: 'approval.expire', actor: { type: 'system', id: approvals, ip: '', userAgent: '' }, details: { timer: 'expiry', scheduledAt: '2030-01-01T00:00:00.000Z', notify: ['bob'], state: 'REQUEST_STATE_PENDING' } }],
  ['assent.approval.overdue.v1', { request, timer: 'sla' }, 'request/r1', { action: 'approval.overdue', actor: { type: 'system', id: approvals, ip: '', userAgent: '' } }],
  ['assent.approval.reminder.v1', { request, timer: 'reminder', notify: ['user:bob'] }, 'request/r1', { action: 'approval.remind' }],
  ['assent.approval.escalated.v1', { request, timer: 'escalation', escalationTier: 1 }, 'request/r1', { action: 'approval.escalate', details: { timer: 'escalation', scheduledAt: '', notify: [], state: 'REQUEST_STATE_PENDING', escalationTier: '1' } }],
  ['assent.approval.unsnoozed.v1', { request, timer: 'snooze' }, 'request/r1', { action: 'approval.unsnooze' }],
  ['assent.approval.effective.v1', { request, timer: 'effective' }, 'request/r1', { action: 'approval.take_effect' }],
  ['assent.approval.vote_refused.v1', { tenant: 'acme', requestId: 'r1', principal: 'mallory', outcome: 'OUTCOME_APPROVE', reason: 'not an approver', code: 'NOT_ELIGIBLE' }, 'request/r1', { actor: { type: 'user', id: 'mallory', ip: '', userAgent: '' }, action: 'approval.vote', outcome: 'denied', category: 'security', target: { kind: 'request', id: 'r1' }, requestId: 'r1', reason: 'not an approver', details: { code: 'NOT_ELIGIBLE', attempted: 'OUTCOME_APPROVE' } }],
  ['assent.approval.delegation_set.v1', { delegation: { id: 'd1', from: 'carol', to: 'dave', reason: 'holiday' }, actor: 'root' }, 'delegation/d1', { actor: { type: 'user', id: 'root', ip: '', userAgent: '' }, action: 'delegation.set', category: 'governance', target: { kind: 'delegation', id: 'd1' }, reason: 'holiday' }],
  ['assent.approval.delegation_ended.v1', { delegation: { id: 'd1', from: 'carol', to: 'dave' }, actor: 'carol' }, 'delegation/d1', { action: 'delegation.end', actor: { type: 'user', id: 'carol', ip: '', userAgent: '' } }],
  ['assent.policy.updated.v1', { tenant: 'acme', policy: { id: 'p1', action: 'keys.rotate', hash: 'h2' }, appliedBy: 'root', version: '3', previousHash: 'h2' }, 'policy/p1', { actor: { type: 'user', id: 'root', ip: '', userAgent: '' }, action: 'policy.apply', category: 'governance', target: { kind: 'policy', id: 'p1' }, policyHash: 'h2', details: { policyAction: 'keys.rotate', version: '3', previousHash: 'h2', changed: false } }],
  ['assent.authz.checked.v1', { tenant: 'acme', principal: 'dave', action: 'keys.rotate', resource: 'key/k1', decision: 'DECISION_NEEDS_APPROVAL', reason: 'no grant', modelId: 'm1', policy: { id: 'p1', hash: 'h1' } }, 'decision/keys.rotate', { actor: { type: 'user', id: 'dave', ip: '', userAgent: '' }, action: 'authz.check', outcome: 'denied', category: 'access', target: { kind: 'key', id: 'k1' }, reason: 'no grant', policyHash: 'h1', details: { checkedAction: 'keys.rotate', decision: 'DECISION_NEEDS_APPROVAL', modelId: 'm1' } }],
  ['assent.authz.action_registered.v1', { protectedAction: { tenant: 'acme', action: 'keys.rotate', policy: { id: 'p1', hash: 'h1' }, version: 2 }, actor: 'service:approvals' }, 'action/keys.rotate', { actor: { type: 'service', id: 'service:approvals', ip: '', userAgent: '' }, action: 'protected_action.register', category: 'governance', target: { kind: 'action', id: 'keys.rotate' }, policyHash: 'h1' }],
  ['assent.authz.model_applied.v1', { modelId: 'm2', previousModelId: 'm1', actor: 'root' }, 'model/m2', { action: 'authz.apply_model', category: 'governance', target: { kind: 'model', id: 'm2' }, details: { previousModelId: 'm1' } }],
  ['assent.authz.group_member_added.v1', { tenant: 'acme', group: 'security', user: 'carol', actor: 'root' }, 'group/security', { actor: { type: 'user', id: 'root', ip: '', userAgent: '' }, action: 'group.add_member', category: 'governance', target: { kind: 'group', id: 'security' }, details: { user: 'carol' } }],
  ['assent.authz.group_member_removed.v1', { tenant: 'acme', group: 'security', user: 'carol', actor: 'system:serviceaccount:assent:approvals' }, 'group/security', { actor: { type: 'service', id: 'system:serviceaccount:assent:approvals', ip: '', userAgent: '' }, action: 'group.remove_member' }],
  ['assent.authz.tenant_created.v1', { tenant: 'initech', displayName: 'Initech', created: true, actor: 'root' }, 'tenant/initech', { actor: { type: 'user', id: 'root', ip: '', userAgent: '' }, action: 'tenant.create', category: 'governance', outcome: 'success', target: { kind: 'tenant', id: 'initech' }, details: { displayName: 'Initech', created: true } }],
  ['assent.authz.tenant_member_added.v1', { tenant: 'acme', user: 'dave', actor: 'service:approvals' }, 'principal/dave', { actor: { type: 'service', id: 'service:approvals', ip: '', userAgent: '' }, action: 'tenant.add_member', category: 'governance', target: { kind: 'principal', id: 'dave' } }],
  ['assent.authz.stepped_up.v1', { tenant: 'acme', session: { principal: 'bob', acr: 'mfa', amr: ['otp'] } }, 'principal/bob', { actor: { type: 'user', id: 'bob', ip: '', userAgent: '' }, action: 'authz.step_up', category: 'access', details: { acr: 'mfa', amr: ['otp'], expiresAt: '' } }],
  ['assent.grant.issued.v1', { grant: { principal: 'erin', action: 'keys.rotate', resource: 'key/k1', requestId: 'r1' } }, 'grant/erin', { actor: { type: 'system', id: authz, ip: '', userAgent: '' }, action: 'grant.issue', target: { kind: 'principal', id: 'erin' }, requestId: 'r1', category: 'access' }],
  ['assent.grant.revoked.v1', { grant: { principal: 'erin', action: 'keys.rotate', resource: 'key/k1', requestId: 'r1' }, revokedBy: 'root', reason: 'left the team' }, 'grant/erin', { actor: { type: 'user', id: 'root', ip: '', userAgent: '' }, action: 'grant.revoke', reason: 'left the team' }],
  ['assent.grant.ended.v1', { grant: { principal: 'erin' } }, 'grant/erin', { actor: { type: 'system', id: authz, ip: '', userAgent: '' }, action: 'grant.end' }],
  ['assent.delivery.endpoint_created.v1', { tenant: 'acme', endpoint: { id: 'ep1', origin: 'https://hooks.acme.test', description: '', eventTypes: ['assent.approval.decided.v1'] }, actor: 'ann' }, 'endpoint/ep1', { actor: { type: 'user', id: 'ann', ip: '', userAgent: '' }, action: 'endpoint.create', category: 'governance', target: { kind: 'endpoint', id: 'ep1' }, details: { origin: 'https://hooks.acme.test', eventTypes: ['assent.approval.decided.v1'] } }],
  ['assent.delivery.stream_credential_created.v1', { tenant: 'acme', credentialId: 'c1', consumer: 'siem', actor: 'ann' }, 'credential/c1', { action: 'stream_credential.create', category: 'governance', target: { kind: 'credential', id: 'c1' }, details: { consumer: 'siem' } }],
  ['assent.delivery.stream_credential_revoked.v1', { tenant: 'acme', credentialId: 'c1', consumer: 'siem', actor: 'root' }, 'credential/c1', { actor: { type: 'user', id: 'root', ip: '', userAgent: '' }, action: 'stream_credential.revoke' }],
  ['assent.notifier.interaction_refused.v1', { tenant: 'acme', requestId: 'r1', channel: 'slack', externalTeam: 'T1', externalUser: 'U9', attempted: 'APPROVE', reason: 'not mapped' }, 'request/r1', { actor: { type: 'external', id: 'slack:T1/U9', ip: '', userAgent: '' }, action: 'approval.vote', outcome: 'denied', category: 'security', target: { kind: 'request', id: 'r1' }, reason: 'not mapped', details: { channel: 'slack', attempted: 'APPROVE' } }],
  ['assent.notifier.contact_changed.v1', { tenant: 'acme', principal: 'bob', channel: 'email', change: 'removed', address: 'bob@acme.test', actor: 'root' }, 'contact/bob', { actor: { type: 'user', id: 'root', ip: '', userAgent: '' }, action: 'contact.remove', category: 'governance', target: { kind: 'principal', id: 'bob' }, details: { channel: 'email' } }],
];

describe('record mappings', () => {
  it.each(rows)('%s', (type, data, subject, expected) => {
    expect(canonicalFieldsOf(sourceEvent({ type, data, subject, source: type.includes('.grant.') ? authz : sourceEvent().source }))).toMatchObject(expected);
  });

  it('map every event type the contract (proto/assent/events/v1/events.proto) names, and each has a row above', () => {
    const proto = readFileSync(new URL('../../../proto/assent/events/v1/events.proto', import.meta.url), 'utf8');
    const contract = [...new Set(proto.match(/assent\.[a-z_]+\.[a-z_]+\.v\d+/g))].sort();
    expect(contract.length).toBeGreaterThan(30);
    expect(Object.keys(recordMappings).sort()).toEqual(contract);
    expect([...new Set(rows.map(([type]) => type))].sort()).toEqual(contract);
  });

  it('refuses an event type with no mapping instead of recording it half-mapped', () => {
    const err = (() => {
      try {
        return canonicalFieldsOf(sourceEvent({ type: 'assent.approval.teleported.v1' }));
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(UnmappedEventError);
    expect((err as UnmappedEventError).eventType).toBe('assent.approval.teleported.v1');
    // Not fooled by what every object has.
    expect(() => canonicalFieldsOf(sourceEvent({ type: 'constructor' }))).toThrow(UnmappedEventError);
    expect(() => canonicalFieldsOf(sourceEvent({ type: 'toString' }))).toThrow(UnmappedEventError);
  });

  it('falls back to the emitting service when the payload names nobody', () => {
    expect(canonicalFieldsOf(sourceEvent({ type: 'assent.policy.updated.v1', data: { policy: { id: 'p' } } })).actor).toEqual({ type: 'system', id: approvals, ip: '', userAgent: '' });
    expect(canonicalFieldsOf(sourceEvent({ type: 'assent.authz.checked.v1', data: null })).actor.id).toBe(approvals);
    expect(canonicalFieldsOf(sourceEvent({ type: 'assent.notifier.interaction_refused.v1', data: { requestId: 'r1' } })).actor.type).toBe('system');
  });

  it('hashes the payload and keeps the trace id of the event', () => {
    const fields = canonicalFieldsOf(sourceEvent({ data: { b: 1, a: 2 }, traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' }));
    expect(fields.payloadHash).toBe(canonicalFieldsOf(sourceEvent({ data: { a: 2, b: 1 } })).payloadHash);
    expect(fields.payloadHash).toMatch(/^[0-9a-f]{64}$/);
    expect(fields.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(traceIdOf('00-00000000000000000000000000000000-00f067aa0ba902b7-01')).toBe('');
    expect(traceIdOf('garbage')).toBe('');
    expect(traceIdOf(undefined)).toBe('');
  });
});

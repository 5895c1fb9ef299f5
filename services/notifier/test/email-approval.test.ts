import { describe, expect, it } from 'vitest';
import { emailApprovalCompleted } from '../src/domain/commands/email-approval-completed.js';
import { emailApprovalRequested } from '../src/domain/commands/email-approval-requested.js';
import { DeliveryRejectedError, DeliveryRetryableError } from '../src/domain/errors.js';
import { requestView, ulidLike } from './support/fixtures.js';
import { emailDeps, linkIn } from './support/email-fixtures.js';

const requested = () => ({ id: ulidLike(), type: 'assent.approval.requested.v1' });
const decided = () => ({ id: ulidLike(), type: 'assent.approval.decided.v1' });

describe('email when a request needs approval', () => {
  it('mails each named approver with an address their own link, and names who could not be reached', async () => {
    const { deps, mailer, links } = emailDeps();
    const r = requestView({ approvers: ['user:bob', 'user:carol', 'user:dave', 'group:finance#member', 'user:alice'] });
    const result = await emailApprovalRequested(deps, requested(), { request: r });

    expect(mailer.sent.map((m) => m.to)).toEqual(['bob@acme.test', 'carol@acme.test']);
    expect(result).toMatchObject({ status: 'sent', unreachable: ['dave (no email address)', 'group:finance#member'] });
    const [bobs, carols] = mailer.sent;
    const bobLink = await links.verifyLink(new URL(linkIn(bobs?.text ?? '')).searchParams.get('token') ?? '', deps.clock.now());
    expect(bobLink).toMatchObject({ tenant: 'acme', requestId: r.id, principal: 'bob', expiresAt: new Date(deps.clock.now().getTime() + 3600_000) });
    expect(linkIn(carols?.text ?? '')).not.toBe(linkIn(bobs?.text ?? ''));
    expect(bobs?.messageId).toMatch(/^<[0-9a-f]{32}@assent\.notifier>$/);
    expect(result.status === 'sent' && result.notifications.map((n) => [n.channel, n.destination, n.providerRef])).toEqual([
      ['EMAIL', 'bob@acme.test', bobs?.messageId],
      ['EMAIL', 'carol@acme.test', carols?.messageId],
    ]);
  });

  it('mails each member of a named group (once each, never the requester), and fails the event when the groups cannot be read', async () => {
    const { deps, mailer, directory, email } = emailDeps();
    await directory.set('acme', 'dave', 'dave@acme.test');
    const members: Record<string, string[]> = { finance: ['dave', 'bob', 'alice'] };
    email.groups = { membersOf: async (_tenant, group) => members[group] ?? [] };
    const r = requestView({ requester: 'alice', approvers: ['user:bob', 'group:finance#member', 'group:nobody#member'] });
    expect(await emailApprovalRequested(deps, requested(), { request: r })).toMatchObject({ status: 'sent' });
    expect(mailer.sent.map((m) => m.to).sort()).toEqual(['bob@acme.test', 'dave@acme.test']);

    email.groups = { membersOf: async () => Promise.reject(new DeliveryRetryableError('authz', 'unavailable', undefined)) };
    await expect(emailApprovalRequested(deps, requested(), { request: requestView({ approvers: ['group:finance#member'] }) })).rejects.toBeInstanceOf(DeliveryRetryableError);
  });

  it('sends nothing again for a redelivered event, and only what is missing after a failure', async () => {
    const { deps, mailer } = emailDeps();
    const r = requestView({ approvers: ['user:bob', 'user:carol'] });
    const event = requested();
    // bob's goes out, then the server goes away before carol's.
    const original = mailer.send.bind(mailer);
    let calls = 0;
    mailer.send = async (m) => {
      if (++calls === 2) throw new DeliveryRetryableError('smtp', 'econnection', undefined);
      return original(m);
    };
    await expect(emailApprovalRequested(deps, event, { request: r })).rejects.toBeInstanceOf(DeliveryRetryableError);
    expect(mailer.sent.map((m) => m.to)).toEqual(['bob@acme.test']);
    expect(await emailApprovalRequested(deps, event, { request: r })).toMatchObject({ status: 'sent' });
    expect(await emailApprovalRequested(deps, event, { request: r })).toMatchObject({ status: 'duplicate' });
    expect(mailer.sent.map((m) => m.to)).toEqual(['bob@acme.test', 'carol@acme.test']);
  });

  it('skips a recipient the server refuses for good and still mails the others; a refused login stops everything', async () => {
    const { deps, mailer } = emailDeps();
    const r = requestView({ approvers: ['user:bob', 'user:carol'] });
    mailer.failNext(new DeliveryRejectedError('smtp', 'recipient_550'));
    expect(await emailApprovalRequested(deps, requested(), { request: r })).toMatchObject({ status: 'sent', unreachable: ['bob (bob@acme.test: recipient_550)'] });
    expect(mailer.sent.map((m) => m.to)).toEqual(['carol@acme.test']);
    mailer.failNext(new DeliveryRejectedError('smtp', 'auth_failed'));
    await expect(emailApprovalRequested(deps, requested(), { request: r })).rejects.toMatchObject({ code: 'auth_failed' });
  });

  it('is skipped without SMTP, and refuses an event without tenant or id', async () => {
    const { deps } = emailDeps();
    await expect(emailApprovalRequested(deps, requested(), { request: requestView({ id: 'nope' }) })).rejects.toThrow(/request.id/);
    deps.email = undefined;
    expect(await emailApprovalRequested(deps, requested(), { request: requestView() })).toMatchObject({ status: 'skipped', reason: expect.stringContaining('NOTIFIER_SMTP_HOST') });
  });
});

describe('email when a request completes', () => {
  it('tells only the invited approvers who did not act, once', async () => {
    const { deps, mailer } = emailDeps();
    await deps.email?.directory.set('acme', 'dave', 'dave@acme.test');
    const r = requestView({ approvers: ['user:bob', 'user:carol', 'user:dave'] });
    await emailApprovalRequested(deps, requested(), { request: { ...r, approvers: ['user:bob', 'user:carol'] } });
    mailer.sent.length = 0;
    const done = { ...r, votes: [{ approver: 'bob', outcome: 'APPROVE', onBehalfOf: '' }] };
    const event = decided();
    const result = await emailApprovalCompleted(deps, event, { request: done, completion: 'APPROVED', by: 'bob' });
    // bob acted; dave was never emailed about it.
    expect(mailer.sent.map((m) => [m.to, m.subject])).toEqual([['carol@acme.test', 'Approved: payouts.change_details on payout-account/42 for alice']]);
    expect(result).toMatchObject({ status: 'sent' });
    expect(await emailApprovalCompleted(deps, event, { request: done, completion: 'APPROVED', by: 'bob' })).toMatchObject({ status: 'duplicate' });
    expect(mailer.sent).toHaveLength(1);
  });

  it('counts a delegate\'s vote as the away approver\'s, and sends no invitation once the request is over', async () => {
    const { deps, mailer } = emailDeps();
    const r = requestView({ approvers: ['user:bob', 'user:carol'] });
    const invite = requested();
    await emailApprovalRequested(deps, invite, { request: r });
    mailer.sent.length = 0;
    const done = { ...r, votes: [{ approver: 'erin', outcome: 'DECLINE', onBehalfOf: 'carol' }] };
    await emailApprovalCompleted(deps, decided(), { request: done, completion: 'DECLINED', by: 'erin' });
    expect(mailer.sent.map((m) => m.to)).toEqual(['bob@acme.test']);
    expect(await emailApprovalRequested(deps, requested(), { request: r })).toMatchObject({ status: 'skipped', reason: expect.stringContaining('already over') });
  });
});

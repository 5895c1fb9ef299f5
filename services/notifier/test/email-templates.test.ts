import { describe, expect, it } from 'vitest';
import { approvalCompletedEmail, approvalRequestedEmail } from '../src/domain/email/approval-email.js';
import { requestView } from './support/fixtures.js';

const links = { reviewUrl: 'https://assent.example.test/email/open?token=abc.def.ghi', portalUrl: 'https://assent.example.test/requests/acme/X', linkExpiresAt: new Date('2030-01-04T00:00:00Z') };

describe('approval requested email', () => {
  it('says what is asked, by whom, why, under which policy, by when and who voted, in both parts, with the personal link', () => {
    const r = requestView({ dueAt: new Date('2030-01-02T09:30:00Z'), votes: [{ approver: 'carol', outcome: 'APPROVE', onBehalfOf: '' }] });
    const { subject, text, html } = approvalRequestedEmail(r, links);
    expect(subject).toBe('Approval needed: payouts.change_details on payout-account/42 for alice');
    for (const part of [text, html]) {
      for (const fact of ['payouts.change_details', 'payout-account/42', 'alice', 'Vendor changed banks', 'payout-details-change', '2030-01-02 09:30 UTC', 'carol approved', '2 of 3 approvers', r.id]) {
        expect(part).toContain(fact);
      }
      expect(part).toContain('2030-01-04 00:00 UTC');
      expect(part).toContain('https://assent.example.test/requests/acme/X');
    }
    expect(text).toContain(links.reviewUrl);
    expect(html).toContain(`href="${links.reviewUrl}"`);
    expect(text).toContain('Opening the link changes nothing');
  });

  it('makes user text inert in HTML and keeps the subject on one line', () => {
    const r = requestView({ requester: '<img src=x onerror=alert(1)>', justification: '<script>alert(1)</script>\nline two', resource: 'a"b', action: 'x.y\r\nBcc: evil@example.test' });
    const { subject, html, text } = approvalRequestedEmail(r, links);
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('a&quot;b');
    expect(subject).not.toMatch(/[\r\n]/);
    expect(text).toContain('  line two');
  });

  it('says when the policy needs a step-up to approve, and when nothing is due or given', () => {
    const r = requestView({ requireStepUpToApprove: true, justification: ' ' });
    const { text, html } = approvalRequestedEmail(r, links);
    expect(text).toContain('step-up');
    expect(html).toContain('approve in the Assent portal');
    expect(text).toContain('no deadline');
    expect(text).toContain('(none given)');
    expect(text).toContain('none yet');
  });
});

describe('approval completed email', () => {
  it('says how it ended and by whom, and that nothing more is needed', () => {
    const r = requestView();
    const { subject, text, html } = approvalCompletedEmail(r, { completion: 'APPROVED', by: 'bob', portalUrl: links.portalUrl });
    expect(subject).toBe('Approved: payouts.change_details on payout-account/42 for alice');
    expect(text).toContain('Approved by bob. Nothing more is needed from you');
    expect(html).toContain('Approved by bob.');
    expect(approvalCompletedEmail(r, { completion: 'EXPIRED', by: '', portalUrl: links.portalUrl }).text).toMatch(/^Expired\. /);
  });
});

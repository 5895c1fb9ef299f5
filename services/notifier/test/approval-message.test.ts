import { describe, expect, it } from 'vitest';
import type { SlackBlock } from '../src/domain/slack/blocks.js';
import { approvalDecidedMessage, approvalDecidedReply, approvalRequestedMessage } from '../src/domain/slack/approval-message.js';
import { requestView } from './support/fixtures.js';

const portal = 'https://assent.example.test';
const allText = (blocks: SlackBlock[]) => JSON.stringify(blocks);
const ofType = <T extends SlackBlock['type']>(blocks: SlackBlock[], type: T) => blocks.filter((b): b is Extract<SlackBlock, { type: T }> => b.type === type);

describe('approval requested message', () => {
  it('shows the request and offers Approve / Decline buttons carrying tenant/request id', () => {
    const r = requestView();
    const { text, blocks } = approvalRequestedMessage(r, portal);
    expect(ofType(blocks, 'header')[0]?.text.text).toBe('Approval requested: payouts.change_details');
    const fields = ofType(blocks, 'section').flatMap((s) => s.fields ?? []).map((f) => f.text);
    expect(fields).toEqual([
      '*Action*\n`payouts.change_details`',
      '*Resource*\n`payout-account/42`',
      '*Requester*\nalice',
      '*Approvals needed*\n2 of 3 approvers',
      '*Policy*\n`payout-details-change`',
    ]);
    expect(allText(blocks)).toContain('*Justification*\\n>Vendor changed banks');
    const [actions] = ofType(blocks, 'actions');
    expect(actions?.elements).toEqual([
      { type: 'button', action_id: 'approve', text: { type: 'plain_text', text: 'Approve' }, value: `acme/${r.id}`, style: 'primary' },
      { type: 'button', action_id: 'decline', text: { type: 'plain_text', text: 'Decline' }, value: `acme/${r.id}`, style: 'danger' },
      { type: 'button', action_id: 'request_changes', text: { type: 'plain_text', text: 'Request changes' }, value: `acme/${r.id}` },
      { type: 'button', action_id: 'comment', text: { type: 'plain_text', text: 'Comment' }, value: `acme/${r.id}` },
    ]);
    expect(ofType(blocks, 'context')[0]?.elements[0]?.text).toContain(`<${portal}/requests/acme/${r.id}|${r.id}>`);
    expect(text).toBe(`Approval requested: alice wants payouts.change_details on payout-account/42 (request ${r.id})`);
  });

  it('makes user text inert: no links, mentions or pings, and no forged quote or code spans', () => {
    const r = requestView({
      requester: '<!channel> & <@U0001>',
      justification: 'urgent <https://evil.example|click here>\n> forged quote',
      resource: 'acct`</code>',
      action: 'x.y',
    });
    const { text, blocks } = approvalRequestedMessage(r, portal);
    const rendered = allText(blocks) + text;
    expect(rendered).not.toContain('<!channel>');
    expect(rendered).not.toContain('<@U0001>');
    expect(rendered).not.toContain('<https://evil.example');
    expect(rendered).toContain('&lt;!channel&gt; &amp; &lt;@U0001&gt;');
    expect(rendered).toContain('>urgent &lt;https://evil.example|click here&gt;\\n>&gt; forged quote');
    expect(rendered).toContain('`acctˋ&lt;/code&gt;`');
  });

  it('keeps within Slack limits for oversized input without cutting an entity', () => {
    const r = requestView({ action: `a.${'b'.repeat(300)}`, justification: '&'.repeat(5000) });
    const { blocks } = approvalRequestedMessage(r, portal);
    expect([...(ofType(blocks, 'header')[0]?.text.text ?? '')].length).toBeLessThanOrEqual(150);
    const justification = ofType(blocks, 'section')[1]?.text?.text ?? '';
    expect(justification.length).toBeLessThanOrEqual(3000);
    expect(justification).toMatch(/(&amp;)+…$/);
  });

  it('says when no justification was given and shows the quorum without an approver list', () => {
    const { blocks } = approvalRequestedMessage(requestView({ justification: '  ', approvers: [], quorum: 0 }), portal);
    expect(allText(blocks)).toContain('_none given_');
    expect(allText(blocks)).toContain('*Approvals needed*\\n1"');
  });
});

describe('approval decided message', () => {
  it('replaces the buttons with the outcome and who decided', () => {
    const r = requestView();
    const approved = approvalDecidedMessage(r, 'APPROVE', 'bob', portal);
    expect(ofType(approved.blocks, 'actions')).toEqual([]);
    expect(ofType(approved.blocks, 'header')[0]?.text.text).toBe('Approved: payouts.change_details');
    expect(allText(approved.blocks)).toContain(':white_check_mark: *Approved* by *bob*');
    expect(approved.text).toContain('Approved: payouts.change_details on payout-account/42 for alice, by bob');

    const declined = approvalDecidedMessage(r, 'DECLINE', '<!here>', portal);
    expect(allText(declined.blocks)).toContain(':x: *Declined* by *&lt;!here&gt;*');
    expect(approvalDecidedReply('DECLINE', '<!here>').text).toBe(':x: Declined by *&lt;!here&gt;*.');
  });
});

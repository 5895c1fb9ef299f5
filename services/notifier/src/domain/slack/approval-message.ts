import type { ApprovalRequestView, Outcome } from '../types.js';
import { limits, type Mrkdwn, type SlackBlock } from './blocks.js';
import { escapeMrkdwn, fitPlain, inlineCode, quote } from './mrkdwn.js';

/** Block id of the Approve / Decline buttons; the interactivity handler keys on it. */
export const APPROVAL_ACTIONS_BLOCK = 'assent_approval';

/** Button value: enough for the interactivity handler to find the request. */
export const buttonValue = (r: { tenant: string; id: string }): string => `${r.tenant}/${r.id}`;

export function portalUrl(portalBaseUrl: string, r: { tenant: string; id: string }): string {
  return `${portalBaseUrl}/requests/${encodeURIComponent(r.tenant)}/${encodeURIComponent(r.id)}`;
}

const field = (label: string, value: string): Mrkdwn => ({ type: 'mrkdwn', text: `*${label}*\n${value}` });

function approvalsNeeded(r: ApprovalRequestView): string {
  const quorum = Math.max(1, r.quorum);
  return r.approvers.length ? `${quorum} of ${r.approvers.length} approvers` : `${quorum}`;
}

function detailBlocks(r: ApprovalRequestView): SlackBlock[] {
  const fields = [
    field('Action', inlineCode(r.action)),
    field('Resource', inlineCode(r.resource)),
    field('Requester', escapeMrkdwn(r.requester, 200)),
    field('Approvals needed', approvalsNeeded(r)),
    field('Policy', inlineCode(r.policyId || 'unknown')),
  ];
  const justification = r.justification.trim() ? quote(r.justification, limits.sectionText - 40) : '_none given_';
  return [
    { type: 'section', fields },
    { type: 'section', text: { type: 'mrkdwn', text: `*Justification*\n${justification}` } },
  ];
}

function contextBlock(r: ApprovalRequestView, portalBaseUrl: string): SlackBlock {
  return {
    type: 'context',
    elements: [{ type: 'mrkdwn', text: `Request <${portalUrl(portalBaseUrl, r)}|${r.id}> in tenant ${inlineCode(r.tenant)} · open it in the Assent portal` }],
  };
}

/** The interactive message posted when a request needs approval. */
export function approvalRequestedMessage(r: ApprovalRequestView, portalBaseUrl: string): { text: string; blocks: SlackBlock[] } {
  return {
    text: escapeMrkdwn(`Approval requested: ${r.requester} wants ${r.action} on ${r.resource} (request ${r.id})`, 3000),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: fitPlain(`Approval requested: ${r.action}`, limits.header), emoji: true } },
      ...detailBlocks(r),
      {
        type: 'actions',
        block_id: APPROVAL_ACTIONS_BLOCK,
        elements: [
          { type: 'button', action_id: 'approve', text: { type: 'plain_text', text: 'Approve' }, value: buttonValue(r), style: 'primary' },
          { type: 'button', action_id: 'decline', text: { type: 'plain_text', text: 'Decline' }, value: buttonValue(r), style: 'danger' },
          { type: 'button', action_id: 'request_changes', text: { type: 'plain_text', text: 'Request changes' }, value: buttonValue(r) },
          { type: 'button', action_id: 'comment', text: { type: 'plain_text', text: 'Comment' }, value: buttonValue(r) },
        ],
      },
      contextBlock(r, portalBaseUrl),
    ],
  };
}

const verdict = (outcome: Outcome) => (outcome === 'APPROVE' ? { emoji: ':white_check_mark:', word: 'Approved' } : { emoji: ':x:', word: 'Declined' });

/** Replaces the request message once decided: the outcome instead of the buttons. */
export function approvalDecidedMessage(r: ApprovalRequestView, outcome: Outcome, decidedBy: string, portalBaseUrl: string): { text: string; blocks: SlackBlock[] } {
  const v = verdict(outcome);
  const by = escapeMrkdwn(decidedBy || 'unknown', 200);
  return {
    text: escapeMrkdwn(`${v.word}: ${r.action} on ${r.resource} for ${r.requester}, by ${decidedBy || 'unknown'} (request ${r.id})`, 3000),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: fitPlain(`${v.word}: ${r.action}`, limits.header), emoji: true } },
      { type: 'section', text: { type: 'mrkdwn', text: `${v.emoji} *${v.word}* by *${by}*` } },
      ...detailBlocks(r),
      contextBlock(r, portalBaseUrl),
    ],
  };
}

/** The thread reply that tells everyone watching the request how it ended. */
export function approvalDecidedReply(outcome: Outcome, decidedBy: string): { text: string } {
  const v = verdict(outcome);
  return { text: `${v.emoji} ${v.word} by *${escapeMrkdwn(decidedBy || 'unknown', 200)}*.` };
}

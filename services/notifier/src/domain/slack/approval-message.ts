import type { ApprovalRequestView, Outcome } from '../types.js';
import { limits, type Button, type Mrkdwn, type SlackBlock } from './blocks.js';
import { escapeMrkdwn, fitPlain, inlineCode, quote } from './mrkdwn.js';
import { finalKinds, type RequestChange } from './request-change.js';

/** Block id of the Approve / Decline buttons; the interactivity handler keys on it. */
export const APPROVAL_ACTIONS_BLOCK = 'assent_approval';

/** Button value: enough for the interactivity handler to find the request. */
export const buttonValue = (r: { tenant: string; id: string }): string => `${r.tenant}/${r.id}`;

export function portalUrl(portalBaseUrl: string, r: { tenant: string; id: string }): string {
  return `${portalBaseUrl}/requests/${encodeURIComponent(r.tenant)}/${encodeURIComponent(r.id)}`;
}

const field = (label: string, value: string): Mrkdwn => ({ type: 'mrkdwn', text: `*${label}*\n${value}` });
const who = (principal: string) => escapeMrkdwn(principal || 'unknown', 200);

function approvalsNeeded(r: ApprovalRequestView): string {
  const quorum = Math.max(1, r.quorum);
  return r.approvers.length ? `${quorum} of ${r.approvers.length} approvers` : `${quorum}`;
}

const voteMark: Record<string, string> = { APPROVE: ':white_check_mark:', DECLINE: ':x:', REQUEST_CHANGES: ':leftwards_arrow_with_hook:', COMMENT: ':speech_balloon:' };

/** "1 of 2 approvals: :white_check_mark: bob, :speech_balloon: carol (for dave)". */
function votesText(r: ApprovalRequestView): string {
  const approvals = r.votes.filter((v) => v.outcome === 'APPROVE').length;
  const people = r.votes.map((v) => `${voteMark[v.outcome] ?? '•'} ${who(v.approver)}${v.onBehalfOf ? ` (for ${who(v.onBehalfOf)})` : ''}`);
  return `${approvals} of ${Math.max(1, r.quorum)} approvals: ${people.slice(0, 20).join(', ')}${people.length > 20 ? ', …' : ''}`;
}

/** Slack renders `<!date^…>` in each reader's time zone; the fallback is UTC. */
function slackDate(d: Date): string {
  const fallback = `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return `<!date^${Math.floor(d.getTime() / 1000)}^{date_short_pretty} {time}|${fallback}>`;
}

function detailBlocks(r: ApprovalRequestView): SlackBlock[] {
  const fields = [
    field('Action', inlineCode(r.action)),
    field('Resource', inlineCode(r.resource)),
    field('Requester', escapeMrkdwn(r.requester, 200)),
    field('Approvals needed', approvalsNeeded(r)),
    field('Policy', inlineCode(r.policyId || 'unknown')),
  ];
  if (r.dueAt) fields.push(field('Due', slackDate(r.dueAt)));
  if (r.votes.length) fields.push(field('Votes', votesText(r)));
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

/**
 * The buttons of a request approvers may act on. Under a policy that needs a step-up
 * to approve, no chat click can approve (acting-for carries no fresh sign-in), so
 * Approve is a link to the portal; Decline, Request changes and Comment stay.
 */
function actionsBlock(r: ApprovalRequestView, portalBaseUrl: string): SlackBlock {
  const value = buttonValue(r);
  const approve: Button = r.requireStepUpToApprove
    ? { type: 'button', action_id: 'approve_in_portal', text: { type: 'plain_text', text: 'Approve in the portal (step-up)' }, url: portalUrl(portalBaseUrl, r), style: 'primary' }
    : { type: 'button', action_id: 'approve', text: { type: 'plain_text', text: 'Approve' }, value, style: 'primary' };
  return {
    type: 'actions',
    block_id: APPROVAL_ACTIONS_BLOCK,
    elements: [
      approve,
      { type: 'button', action_id: 'decline', text: { type: 'plain_text', text: 'Decline' }, value, style: 'danger' },
      { type: 'button', action_id: 'request_changes', text: { type: 'plain_text', text: 'Request changes' }, value },
      { type: 'button', action_id: 'comment', text: { type: 'plain_text', text: 'Comment' }, value },
    ],
  };
}

/** Whether approvers can act on the request now: buttons are shown only then. */
function actionable(r: ApprovalRequestView, change: RequestChange): boolean {
  if (finalKinds.has(change.kind) || change.kind === 'changes_requested') return false;
  // The event carries the request as it is after the change; unknown (older payloads) counts as open.
  return !r.state || r.state === 'PENDING';
}

const verdict = (outcome: Outcome) => (outcome === 'APPROVE' ? { emoji: ':white_check_mark:', word: 'Approved' } : { emoji: ':x:', word: 'Declined' });

/** Header word and the line saying what changed (undefined for the first message). */
function describe(change: RequestChange): { title: string; line: string | undefined; plain: string } {
  const because = (reason: string) => (reason.trim() ? `: ${escapeMrkdwn(reason.replace(/\s+/g, ' ').trim(), 500)}` : '');
  switch (change.kind) {
    case 'requested':
      return { title: 'Approval requested', line: undefined, plain: 'Approval requested' };
    case 'voted':
      return { title: 'Approval requested', line: `${voteMark[change.outcome] ?? '•'} *${who(change.by)}* voted ${change.outcome.toLowerCase().replace('_', ' ')}; more approvals are needed`, plain: 'Vote recorded' };
    case 'changes_requested':
      return { title: 'Changes requested', line: `:leftwards_arrow_with_hook: *${who(change.by)}* asked the requester for changes${because(change.reason)}`, plain: 'Changes requested' };
    case 'resubmitted':
      return { title: 'Approval requested (resubmitted)', line: `:arrows_counterclockwise: *${who(change.by)}* resubmitted the request${because(change.reason)}`, plain: 'Resubmitted' };
    case 'commented':
      return { title: 'Approval requested', line: `:speech_balloon: *${who(change.by)}* commented${because(change.reason)}`, plain: 'Comment' };
    case 'cancelled':
      return { title: 'Cancelled', line: `:no_entry_sign: *Cancelled* by *${who(change.by)}*${because(change.reason)}`, plain: 'Cancelled' };
    case 'expired':
      return { title: 'Expired', line: ':hourglass: *Expired* before enough approvers acted', plain: 'Expired' };
    case 'escalated':
      return { title: 'Approval requested (escalated)', line: `:rotating_light: Escalated (tier ${change.tier}): more approvers are asked`, plain: 'Escalated' };
    case 'reassigned':
      return { title: 'Approval requested (reassigned)', line: `:twisted_rightwards_arrows: *${who(change.by)}* handed the request on${because(change.reason)}`, plain: 'Reassigned' };
    case 'snoozed':
      return { title: 'Approval requested', line: `:zzz: *${who(change.by)}* snoozed it${because(change.reason)}`, plain: 'Snoozed' };
    case 'unsnoozed':
      return { title: 'Approval requested', line: ':alarm_clock: A snooze ended: the request is back in the inbox', plain: 'Snooze ended' };
    case 'decided': {
      const v = verdict(change.outcome);
      return { title: v.word, line: `${v.emoji} *${v.word}* by *${who(change.by)}*`, plain: v.word };
    }
  }
}

/**
 * The request's Slack message as it should read after `change`: the details (action,
 * resource, requester, justification, policy, due, votes so far), a line saying what
 * changed, and the buttons only while approvers can act. Every message of the request
 * is replaced by this on every change, so no button is ever stale.
 */
export function approvalMessage(r: ApprovalRequestView, change: RequestChange, portalBaseUrl: string): { text: string; blocks: SlackBlock[] } {
  const d = describe(change);
  const by = change.kind === 'decided' ? `, by ${change.by || 'unknown'}` : '';
  const text =
    change.kind === 'requested'
      ? `Approval requested: ${r.requester} wants ${r.action} on ${r.resource} (request ${r.id})`
      : change.kind === 'decided'
        ? `${d.plain}: ${r.action} on ${r.resource} for ${r.requester}${by} (request ${r.id})`
        : `${d.plain}: ${r.requester} wants ${r.action} on ${r.resource} (request ${r.id})`;
  return {
    text: escapeMrkdwn(text, 3000),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: fitPlain(`${d.title}: ${r.action}`, limits.header), emoji: true } },
      ...(d.line ? [{ type: 'section' as const, text: { type: 'mrkdwn' as const, text: d.line } }] : []),
      ...detailBlocks(r),
      ...(actionable(r, change) ? [actionsBlock(r, portalBaseUrl)] : []),
      contextBlock(r, portalBaseUrl),
    ],
  };
}

/** The interactive message posted when a request needs approval. */
export function approvalRequestedMessage(r: ApprovalRequestView, portalBaseUrl: string): { text: string; blocks: SlackBlock[] } {
  return approvalMessage(r, { kind: 'requested' }, portalBaseUrl);
}

/** Replaces the request message once decided: the outcome instead of the buttons. */
export function approvalDecidedMessage(r: ApprovalRequestView, outcome: Outcome, decidedBy: string, portalBaseUrl: string): { text: string; blocks: SlackBlock[] } {
  return approvalMessage(r, { kind: 'decided', outcome, by: decidedBy }, portalBaseUrl);
}

/** The thread reply that tells everyone watching the request how it ended. */
export function approvalDecidedReply(outcome: Outcome, decidedBy: string): { text: string } {
  const v = verdict(outcome);
  return { text: `${v.emoji} ${v.word} by *${who(decidedBy)}*.` };
}

/**
 * A thread reply for the changes people in the channel should be pinged about (the
 * edited message alone notifies nobody): a decision, a comment, changes asked for, the
 * end. Undefined for the rest (votes short of quorum, snoozes, …), which only update.
 */
export function changeReply(change: RequestChange): { text: string } | undefined {
  switch (change.kind) {
    case 'decided':
      return approvalDecidedReply(change.outcome, change.by);
    case 'commented':
    case 'changes_requested':
    case 'cancelled':
    case 'expired':
    case 'resubmitted':
      return { text: describe(change).line ?? '' };
    default:
      return undefined;
  }
}

/** The requester's DM: how their request ended, or that it is back with them. */
export function requesterMessage(r: ApprovalRequestView, change: RequestChange, portalBaseUrl: string): { text: string; blocks: SlackBlock[] } {
  const what = `${inlineCode(r.action)} on ${inlineCode(r.resource)}`;
  const line =
    change.kind === 'decided'
      ? `${verdict(change.outcome).emoji} Your request ${what} was *${verdict(change.outcome).word.toLowerCase()}* by *${who(change.by)}*.`
      : change.kind === 'expired'
        ? `:hourglass: Your request ${what} *expired* before enough approvers acted.`
        : change.kind === 'changes_requested'
          ? `:leftwards_arrow_with_hook: *${who(change.by)}* asked for changes to your request ${what}${change.reason.trim() ? `:\n${quote(change.reason, 2000)}` : '.'}\nAmend and resubmit it in the portal.`
          : `${describe(change).line ?? ''} (your request ${what})`;
  return {
    text: escapeMrkdwn(`${describe(change).plain}: your request ${r.action} on ${r.resource} (request ${r.id})`, 3000),
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: line } }, contextBlock(r, portalBaseUrl)],
  };
}

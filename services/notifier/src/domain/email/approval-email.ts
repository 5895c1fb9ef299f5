import type { ApprovalRequestView } from '../types.js';
import { escapeHtml, oneLine } from './html.js';

/** An email's content: both parts say the same; the HTML one only looks better. */
export interface EmailContent {
  subject: string;
  text: string;
  html: string;
}

/** How a request ended, for the completion email. */
export type Completion = 'APPROVED' | 'DECLINED' | 'CANCELLED' | 'EXPIRED';

const MAX_JUSTIFICATION = 4000;

/** e.g. "2030-01-01 10:00 UTC": mail clients show no time zone of their own. */
export const utc = (d: Date): string => `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

function approvalsNeeded(r: ApprovalRequestView): string {
  const quorum = Math.max(1, r.quorum);
  return r.approvers.length ? `${quorum} of ${r.approvers.length} approvers` : String(quorum);
}

const voted: Record<string, string> = { APPROVE: 'approved', DECLINE: 'declined', REQUEST_CHANGES: 'requested changes', COMMENT: 'commented' };

/** e.g. "bob approved, erin declined (for carol)". */
export function votesLine(r: ApprovalRequestView): string {
  if (!r.votes.length) return 'none yet';
  return r.votes.map((v) => `${v.approver} ${voted[v.outcome] ?? v.outcome.toLowerCase()}${v.onBehalfOf ? ` (for ${v.onBehalfOf})` : ''}`).join(', ');
}

function facts(r: ApprovalRequestView): [string, string][] {
  return [
    ['Action', r.action],
    ['Resource', r.resource],
    ['Requester', r.requester],
    ['Policy', r.policyId || 'unknown'],
    ['Approvals needed', approvalsNeeded(r)],
    ['Votes', votesLine(r)],
    ['Due', r.dueAt ? utc(r.dueAt) : 'no deadline'],
    ['Request', `${r.id} (tenant ${r.tenant})`],
  ];
}

const justificationOf = (r: ApprovalRequestView): string => (r.justification.trim() ? oneLineKeepBreaks(r.justification.trim(), MAX_JUSTIFICATION) : '(none given)');

function oneLineKeepBreaks(s: string, max: number): string {
  const chars = [...s];
  return chars.length <= max ? s : `${chars.slice(0, max - 1).join('')}…`;
}

const STYLE = 'font-family:system-ui,-apple-system,Segoe UI,sans-serif;color:#1b1b1b;max-width:40rem';

function htmlFacts(r: ApprovalRequestView): string {
  const rows = facts(r)
    .map(([k, v]) => `<tr><th align="left" style="padding:2px 12px 2px 0;vertical-align:top">${escapeHtml(k)}</th><td style="padding:2px 0">${escapeHtml(v)}</td></tr>`)
    .join('\n');
  return `<table role="presentation" style="border-collapse:collapse">\n${rows}\n</table>
<p style="margin-top:1em"><strong>Justification</strong></p>
<blockquote style="margin:0;padding:0 0 0 12px;border-left:3px solid #ccc;white-space:pre-wrap">${escapeHtml(justificationOf(r))}</blockquote>`;
}

const textFacts = (r: ApprovalRequestView): string =>
  `${facts(r).map(([k, v]) => `${`${k}:`.padEnd(18)}${v}`).join('\n')}\n\nJustification:\n${justificationOf(r)
    .split(/\r?\n/)
    .map((l) => `  ${l}`)
    .join('\n')}`;

/**
 * Sent to each approver when a request needs them. `reviewUrl` is their own signed,
 * single-use link to the confirmation page (opening it decides nothing).
 */
export function approvalRequestedEmail(r: ApprovalRequestView, opts: { reviewUrl: string; portalUrl: string; linkExpiresAt: Date }): EmailContent {
  const subject = oneLine(`Approval needed: ${r.action} on ${r.resource} for ${r.requester}`, 200);
  const stepUp = r.requireStepUpToApprove
    ? 'This policy needs a fresh sign-in (step-up) to approve: approve in the Assent portal; the link below can only decline.'
    : '';
  const text = `${r.requester} asks for approval.

${textFacts(r)}

Review and decide (your personal link, single use, valid until ${utc(opts.linkExpiresAt)}):
${opts.reviewUrl}
${stepUp ? `\n${stepUp}\n` : ''}
Open in the Assent portal: ${opts.portalUrl}

Opening the link changes nothing: you confirm your decision on the page. Do not forward this email; the link acts as you.
`;
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>
<body style="${STYLE}">
<h1 style="font-size:1.3em">Approval needed: ${escapeHtml(r.action)}</h1>
<p>${escapeHtml(r.requester)} asks for approval.</p>
${htmlFacts(r)}
<p style="margin:1.5em 0"><a href="${escapeHtml(opts.reviewUrl)}" style="background:#0b57d0;color:#fff;padding:10px 18px;border-radius:4px;text-decoration:none;display:inline-block">Review and decide</a></p>
${stepUp ? `<p><strong>${escapeHtml(stepUp)}</strong></p>` : ''}
<p>Your personal link, single use, valid until ${escapeHtml(utc(opts.linkExpiresAt))}. Opening it changes nothing: you confirm your decision on the page. Do not forward this email; the link acts as you.</p>
<p><a href="${escapeHtml(opts.portalUrl)}">Open in the Assent portal</a></p>
</body></html>
`;
  return { subject, text, html };
}

const completionWord: Record<Completion, string> = { APPROVED: 'Approved', DECLINED: 'Declined', CANCELLED: 'Cancelled', EXPIRED: 'Expired' };

/** Sent to the approvers who did not act, so nobody keeps a request in mind that is over. */
export function approvalCompletedEmail(r: ApprovalRequestView, opts: { completion: Completion; by: string; portalUrl: string }): EmailContent {
  const word = completionWord[opts.completion];
  const by = opts.by ? ` by ${opts.by}` : '';
  const subject = oneLine(`${word}: ${r.action} on ${r.resource} for ${r.requester}`, 200);
  const text = `${word}${by}. Nothing more is needed from you; any link you were sent for it no longer acts.

${textFacts(r)}

Open in the Assent portal: ${opts.portalUrl}
`;
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>
<body style="${STYLE}">
<h1 style="font-size:1.3em">${escapeHtml(word)}: ${escapeHtml(r.action)}</h1>
<p><strong>${escapeHtml(word)}${escapeHtml(by)}.</strong> Nothing more is needed from you; any link you were sent for it no longer acts.</p>
${htmlFacts(r)}
<p><a href="${escapeHtml(opts.portalUrl)}">Open in the Assent portal</a></p>
</body></html>
`;
  return { subject, text, html };
}

import { approvalsv1 } from '@assent/proto';
import { renderFields, renderTable } from './table.js';
import { enumLabel, iso, list } from './values.js';

export function stateLabel(state: approvalsv1.RequestState): string {
  return enumLabel(approvalsv1.requestStateToJSON(state), 'REQUEST_STATE_');
}

/** "finance: 1 of group:finance-leads#member AND security: 1 of group:security#member". */
function requirementLines(r: approvalsv1.ApprovalRequest): string {
  if (!r.requirements.length) return `${r.quorum} of ${list(r.approvers)}`;
  return r.requirements.map((q) => `${q.name}: ${q.quorum} of ${list(q.approvers)}`).join(' AND ');
}

/** The key/value block for one approval request, followed by its history when there is any. */
export function renderRequest(r: approvalsv1.ApprovalRequest): string {
  const t = r.timers;
  const open = r.state === approvalsv1.RequestState.REQUEST_STATE_PENDING || r.state === approvalsv1.RequestState.REQUEST_STATE_CHANGES_REQUESTED;
  const block = renderFields([
    ['id', r.id],
    ['state', stateLabel(r.state)],
    ['action', r.action],
    ['resource', r.resource],
    ['requester', r.requester],
    ['justification', r.justification],
    ['submission', r.submission > 1 ? String(r.submission) : ''],
    ['requires', requirementLines(r)],
    ['awaiting', open ? list(r.awaiting) : ''],
    ['policy', r.policyId ? `${r.policyId}${r.policyHash ? ` (sha256 ${r.policyHash.slice(0, 12)})` : ''}` : ''],
    ['created', iso(r.createdAt)],
    ['due', t?.dueAt ? `${iso(t.dueAt)}${t.overdue ? ' (overdue)' : ''}` : ''],
    ['next reminder', open ? iso(t?.nextReminderAt) : ''],
    ['next escalation', open ? iso(t?.nextEscalationAt) : ''],
    ['escalations', t?.escalations ? String(t.escalations) : ''],
    ['expires', open ? iso(t?.expiresAt) : ''],
    ['decided', iso(r.decidedAt)],
    ['break-glass', r.breakGlass ? `${iso(r.breakGlass.at)}: ${r.breakGlass.reason}; ${r.breakGlass.reviewedBy ? `reviewed by ${r.breakGlass.reviewedBy}: ${enumLabel(approvalsv1.breakGlassVerdictToJSON(r.breakGlass.verdict), 'BREAK_GLASS_VERDICT_')} (${r.breakGlass.reviewReason})` : 'awaiting review'}` : ''],
    ['handoffs', r.handoffs.map((h) => `${h.from} → ${h.to} (${h.reason})`).join('; ')],
    ['snoozed', r.snoozes.map((s) => `${s.user} until ${iso(s.until)}`).join(', ')],
    ['closed', r.closedBy ? `by ${r.closedBy}: ${r.closeReason}` : ''],
    ['grant expires', iso(r.grantExpiresAt)],
    ['grant', r.grantClosed ? `${r.grantClosed.kind} at ${iso(r.grantClosed.at)}${r.grantClosed.by ? ` by ${r.grantClosed.by}: ${r.grantClosed.reason}` : ''}` : r.grantExpiresAt ? 'active until it expires' : ''],
  ]);
  if (!r.votes.length) return block;
  const votes = renderTable(
    ['WHO', 'OUTCOME', 'SUBMISSION', 'AT', 'REASON'],
    r.votes.map((v) => [v.approver, enumLabel(approvalsv1.outcomeToJSON(v.outcome), 'OUTCOME_'), String(v.submission || 1), iso(v.at), v.comment]),
  );
  return `${block}\nhistory:\n${indent(votes)}`;
}

export function renderRequestList(requests: approvalsv1.ApprovalRequest[]): string {
  return renderTable(
    ['ID', 'STATE', 'ACTION', 'RESOURCE', 'REQUESTER', 'CREATED', 'DUE'],
    requests.map((r) => [r.id, stateLabel(r.state), r.action, r.resource, r.requester, iso(r.createdAt), r.timers?.dueAt ? `${iso(r.timers.dueAt)}${r.timers.overdue ? ' (overdue)' : ''}` : '']),
  );
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}

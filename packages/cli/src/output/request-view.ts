import { approvalsv1 } from '@assent/proto';
import { formatDuration } from '../policy/duration.js';
import { indent, renderFields, renderTable } from './table.js';
import { enumLabel, iso, list } from './values.js';

export function stateLabel(state: approvalsv1.RequestState): string {
  return enumLabel(approvalsv1.requestStateToJSON(state), 'REQUEST_STATE_');
}

/** "finance: 1 of group:finance-leads#member AND security: 1 of group:security#member". */
function requirementLines(r: approvalsv1.ApprovalRequest): string {
  if (!r.requirements.length) return `${r.quorum} of ${list(r.approvers)}`;
  return r.requirements.map((q) => `${q.name}: ${q.quorum} of ${list(q.approvers)}`).join(' AND ');
}

/** A parameter or edited value as JSON (strings quoted, so "120" and 120 differ); null/absent as "(unset)". */
export function jsonValue(v: unknown): string {
  return v === null || v === undefined ? '(unset)' : JSON.stringify(v);
}

/** `amount=120, currency="EUR"`: the --param syntax, values as JSON. */
export function parameterLine(parameters: Record<string, unknown> | undefined): string {
  return Object.entries(parameters ?? {})
    .map(([k, v]) => `${k}=${jsonValue(v)}`)
    .join(', ');
}

const seconds = (s: string | number | undefined) => Number(s ?? 0);

/** An edit's value for the reader: grant lengths as durations, times and parameters as JSON. */
function changeValue(field: string, v: unknown): string {
  if (field === 'grant_duration_seconds' && (typeof v === 'number' || typeof v === 'string') && seconds(v) > 0) return formatDuration(seconds(v));
  return jsonValue(v);
}

/** One line per changed field: "2025-01-02T03:05:05.000Z  carol changed parameters.amount: 120 → 80 (too high)". */
export function editLines(edits: approvalsv1.RequestEdit[]): string[] {
  return edits.flatMap((e) => e.changes.map((c) => `${iso(e.at)}  ${e.by} changed ${c.field}: ${changeValue(c.field, c.from)} → ${changeValue(c.field, c.to)}${e.reason ? ` (${e.reason})` : ''}`));
}

/** "1h (up to 4h)": the grant asked for, and the most the requester could have asked for when that is more. */
function grantLength(r: approvalsv1.ApprovalRequest): string {
  const asked = seconds(r.grantDurationSeconds);
  const max = seconds(r.maxGrantDurationSeconds);
  if (asked <= 0) return '';
  return `${formatDuration(asked)}${max > asked ? ` (up to ${formatDuration(max)})` : ''}`;
}

function stateLine(r: approvalsv1.ApprovalRequest): string {
  if (r.state !== approvalsv1.RequestState.REQUEST_STATE_DEFERRED) return stateLabel(r.state);
  return `deferred (approved; takes effect at ${iso(r.grantStartsAt ?? r.effectiveAt)})`;
}

/** What the grant is doing now: not started yet, active, or closed. */
function grantLine(r: approvalsv1.ApprovalRequest): string {
  if (r.grantClosed) return `${r.grantClosed.kind} at ${iso(r.grantClosed.at)}${r.grantClosed.by ? ` by ${r.grantClosed.by}: ${r.grantClosed.reason}` : ''}`;
  if (r.state === approvalsv1.RequestState.REQUEST_STATE_DEFERRED) return `starts at ${iso(r.grantStartsAt ?? r.effectiveAt)}, then lasts until it expires`;
  return r.grantExpiresAt ? 'active until it expires' : '';
}

/** "3 (re-request; previous: 01J…)": a request asked again after an earlier one for the same action and resource. */
function lineage(r: approvalsv1.ApprovalRequest): string {
  if (r.attempt <= 1) return '';
  return `${r.attempt} (re-request${r.previousRequestId ? `; previous: ${r.previousRequestId}` : ''})`;
}

/** "erin (for bob)": who voted, and the away approver a delegate voted for. */
export function voter(v: approvalsv1.Vote): string {
  return v.onBehalfOf ? `${v.approver} (for ${v.onBehalfOf})` : v.approver;
}

/** The key/value block for one approval request, followed by what approvers must tick, its edits and its history when there are any. */
export function renderRequest(r: approvalsv1.ApprovalRequest): string {
  const t = r.timers;
  const open = r.state === approvalsv1.RequestState.REQUEST_STATE_PENDING || r.state === approvalsv1.RequestState.REQUEST_STATE_CHANGES_REQUESTED;
  const editedBy = r.submissions.find((s) => s.number === r.submission)?.editedBy;
  const block = renderFields([
    ['id', r.id],
    ['state', stateLine(r)],
    ['action', r.action],
    ['resource', r.resource],
    ['requester', r.requester],
    ['justification', r.justification],
    ['attempt', lineage(r)],
    ['extends', r.extendsRequestId ? `the grant of request ${r.extendsRequestId}` : ''],
    ['submission', r.submission > 1 ? `${r.submission}${editedBy ? ` (opened by ${editedBy}'s edit)` : ''}` : ''],
    ['parameters', parameterLine(r.parameters)],
    ['grant length', grantLength(r)],
    ['effective at', r.effectiveAt ? iso(r.effectiveAt) : ''],
    ['approvers may edit', r.approverEditable.join(', ')],
    ['tier', r.tier],
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
    ['grant starts', iso(r.grantStartsAt)],
    ['grant expires', iso(r.grantExpiresAt)],
    ['grant', grantLine(r)],
  ]);
  const sections = [block];
  if (r.acknowledgements.length) {
    sections.push(`acknowledgements (each approver ticks every one: --ack <id>):\n${indent(renderTable(['ID', 'STATEMENT'], r.acknowledgements.map((a) => [a.id, a.text])))}`);
  }
  if (r.edits.length) sections.push(`edits:\n${indent(editLines(r.edits).join('\n'))}`);
  if (r.grantExtensions.length) {
    const rows = r.grantExtensions.map((x) => [iso(x.at), `+${x.seconds}s`, iso(x.expiresAt), x.requestId ? `request ${x.requestId}` : 'requester', x.reason]);
    sections.push(`grant extensions:\n${indent(renderTable(['AT', 'BY', 'NEW END', 'APPROVED THROUGH', 'REASON'], rows))}`);
  }
  if (r.votes.length) {
    // The ticked column only where the request has a checklist (or a vote recorded ticks).
    const ticks = r.acknowledgements.length > 0 || r.votes.some((v) => v.acknowledged.length);
    const votes = renderTable(
      ['WHO', 'OUTCOME', 'SUBMISSION', 'AT', ...(ticks ? ['ACKNOWLEDGED'] : []), 'REASON'],
      r.votes.map((v) => [
        voter(v),
        enumLabel(approvalsv1.outcomeToJSON(v.outcome), 'OUTCOME_'),
        String(v.submission || 1),
        iso(v.at),
        ...(ticks ? [list(v.acknowledged)] : []),
        v.comment,
      ]),
    );
    sections.push(`history:\n${indent(votes)}`);
  }
  return sections.join('\n');
}

export function renderRequestList(requests: approvalsv1.ApprovalRequest[]): string {
  return renderTable(
    ['ID', 'STATE', 'ACTION', 'RESOURCE', 'REQUESTER', 'CREATED', 'DUE'],
    requests.map((r) => [r.id, stateLabel(r.state), r.action, r.resource, r.requester, iso(r.createdAt), r.timers?.dueAt ? `${iso(r.timers.dueAt)}${r.timers.overdue ? ' (overdue)' : ''}` : '']),
  );
}

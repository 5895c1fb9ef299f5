import { approvalsv1 } from '@assent/proto';
import { renderFields, renderTable } from './table.js';
import { enumLabel, iso, list } from './values.js';

export function stateLabel(state: approvalsv1.RequestState): string {
  return enumLabel(approvalsv1.requestStateToJSON(state), 'REQUEST_STATE_');
}

/** The key/value block for one approval request, followed by its votes when there are any. */
export function renderRequest(r: approvalsv1.ApprovalRequest): string {
  const approvals = r.votes.filter((v) => v.outcome === approvalsv1.Outcome.OUTCOME_APPROVE).length;
  const block = renderFields([
    ['id', r.id],
    ['state', stateLabel(r.state)],
    ['action', r.action],
    ['resource', r.resource],
    ['requester', r.requester],
    ['justification', r.justification],
    ['approvers', list(r.approvers)],
    ['quorum', `${approvals} of ${r.quorum} approvals`],
    ['policy', r.policyId ? `${r.policyId}${r.policyHash ? ` (sha256 ${r.policyHash.slice(0, 12)})` : ''}` : ''],
    ['created', iso(r.createdAt)],
    ['decided', iso(r.decidedAt)],
    ['grant expires', iso(r.grantExpiresAt)],
  ]);
  if (!r.votes.length) return block;
  const votes = renderTable(
    ['APPROVER', 'OUTCOME', 'AT', 'COMMENT'],
    r.votes.map((v) => [v.approver, enumLabel(approvalsv1.outcomeToJSON(v.outcome), 'OUTCOME_'), iso(v.at), v.comment]),
  );
  return `${block}\nvotes:\n${indent(votes)}`;
}

export function renderRequestList(requests: approvalsv1.ApprovalRequest[]): string {
  return renderTable(
    ['ID', 'STATE', 'ACTION', 'RESOURCE', 'REQUESTER', 'CREATED'],
    requests.map((r) => [r.id, stateLabel(r.state), r.action, r.resource, r.requester, iso(r.createdAt)]),
  );
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}

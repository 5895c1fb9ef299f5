import { approvalsv1 } from '@assent/proto';
import { snoozeSelect } from './inbox-page.js';
import { html, stateWord, timeEl, utc, type Html, type Viewer } from './portal-html.js';

type Request = approvalsv1.ApprovalRequest;

const outcomeWord: Record<string, string> = { OUTCOME_APPROVE: 'approved', OUTCOME_DECLINE: 'declined', OUTCOME_REQUEST_CHANGES: 'asked for changes', OUTCOME_COMMENT: 'commented' };
const via = (v: approvalsv1.ActedVia | undefined): string =>
  v && v.channel !== approvalsv1.ActingChannel.ACTING_CHANNEL_UNSPECIFIED ? ` via ${approvalsv1.actingChannelToJSON(v.channel).replace('ACTING_CHANNEL_', '').toLowerCase()}` : '';
const json = (v: unknown): string => (v === undefined || v === null ? 'unset' : JSON.stringify(v));
const duration = (s: string): string => {
  const n = Number(s);
  if (!n) return '—';
  return n % 3600 === 0 ? `${n / 3600} h` : n % 60 === 0 ? `${n / 60} min` : `${n} s`;
};

interface Entry {
  at: Date | undefined;
  text: Html;
}

/** Everything that happened to the request, oldest first. */
function timeline(r: Request): Entry[] {
  const e: Entry[] = [];
  for (const s of r.submissions) {
    e.push({ at: s.at, text: s.number === 1 ? html`<strong>${r.requester}</strong> asked: ${s.justification}` : s.editedBy ? html`Submission ${s.number} opened by <strong>${s.editedBy}</strong>'s edit` : html`<strong>${r.requester}</strong> resubmitted (submission ${s.number}): ${s.justification}` });
  }
  for (const v of r.votes) {
    e.push({ at: v.at, text: html`<strong>${v.approver}</strong> ${outcomeWord[approvalsv1.outcomeToJSON(v.outcome)] ?? 'acted'}${v.onBehalfOf ? ` for ${v.onBehalfOf}` : ''}${via(v.via)}: ${v.comment}` });
  }
  for (const h of r.handoffs) e.push({ at: h.at, text: html`<strong>${h.from}</strong> passed ${h.requirements.join(', ') || 'their part'} to <strong>${h.to}</strong>: ${h.reason}` });
  for (const d of r.edits) {
    e.push({ at: d.at, text: html`<strong>${d.by}</strong> changed ${d.changes.map((c) => `${c.field} from ${json(c.from)} to ${json(c.to)}`).join('; ')}${d.reason ? `: ${d.reason}` : ''}` });
  }
  if (r.breakGlass) e.push({ at: r.breakGlass.at, text: html`<strong>${r.requester}</strong> broke the glass: ${r.breakGlass.reason}` });
  if (r.decidedAt) e.push({ at: r.decidedAt, text: html`Decided: ${stateWord(approvalsv1.requestStateToJSON(r.state))}` });
  if (r.closedBy && !r.decidedAt) e.push({ at: r.updatedAt, text: html`Closed by <strong>${r.closedBy}</strong>${r.closeReason ? `: ${r.closeReason}` : ''}` });
  for (const x of r.grantExtensions) e.push({ at: x.at, text: html`Grant extended by ${duration(x.seconds)}: ${x.reason}` });
  if (r.grantClosed) e.push({ at: r.grantClosed.at, text: html`Grant ${r.grantClosed.kind}${r.grantClosed.by ? ` by ${r.grantClosed.by}` : ''}${r.grantClosed.reason ? `: ${r.grantClosed.reason}` : ''}` });
  return e.sort((a, b) => (a.at?.getTime() ?? 0) - (b.at?.getTime() ?? 0));
}

/** Each requirement: who is asked, how many must approve, who did on this submission. */
function stages(r: Request): Html {
  const approvals = r.votes.filter((v) => v.submission === r.submission && v.outcome === approvalsv1.Outcome.OUTCOME_APPROVE);
  const t = r.timers;
  const escalation = t?.escalations ? html`<p>Escalated ${t.escalations} time${t.escalations > 1 ? 's' : ''}.</p>` : '';
  const next = t?.nextEscalationAt ? html`<p>Next escalation: ${timeEl(t.nextEscalationAt)}</p>` : '';
  return html`${r.requirements.map((q) => {
    const got = approvals.filter((v) => v.eligibleFor.includes(q.name));
    return html`<div class="stage"><h3>${q.name || 'Approvers'}: ${got.length} of ${q.quorum || 1} approved</h3>
<p>Asked: ${q.approvers.join(', ') || '—'}</p>${got.length ? html`<p>Approved by ${got.map((v) => v.approver).join(', ')}</p>` : ''}</div>`;
  })}
<p>Waiting for: ${r.awaiting.length ? r.awaiting.join(', ') : 'nobody'}</p>${escalation}${next}`;
}

function facts(r: Request): Html {
  const t = r.timers;
  const due = t?.dueAt ? html`${timeEl(t.dueAt)}${t.overdue ? html` <span class="badge overdue">overdue</span>` : ''}` : html`no deadline`;
  const rows: [string, Html | string][] = [
    ['State', stateWord(approvalsv1.requestStateToJSON(r.state))],
    ['Action', r.action],
    ['Resource', r.resource],
    ['Requester', r.requester],
    ['Policy', `${r.policyId}${r.tier ? ` (tier ${r.tier})` : ''}`],
    ['Asked', utc(r.createdAt)],
    ['Due', due],
    ['Expires', t?.expiresAt ? timeEl(t.expiresAt) : 'never'],
    ['Grant length', duration(r.grantDurationSeconds)],
  ];
  if (r.effectiveAt) rows.push(['Takes effect', timeEl(r.effectiveAt)]);
  if (r.grantExpiresAt) rows.push(['Grant ends', timeEl(r.grantExpiresAt)]);
  return html`<table class="facts">${rows.map(([k, v]) => html`<tr><th scope="row">${k}</th><td>${v}</td></tr>`)}</table>`;
}

function parameters(r: Request): Html {
  const p = Object.entries(r.parameters ?? {});
  const editable = r.approverEditable.length ? html`<p>Approvers may change: ${r.approverEditable.join(', ')}.</p>` : '';
  if (!p.length && !r.edits.length) return html`${editable}`;
  return html`<h2>Parameters</h2>${p.length ? html`<table class="facts">${p.map(([k, v]) => html`<tr><th scope="row">${k}</th><td>${json(v)}</td></tr>`)}</table>` : ''}${editable}`;
}

/** Approve / decline / request changes / comment, with the reason and the checklist. */
function decideForm(r: Request, v: Viewer, action: string, strong: boolean): Html {
  if (r.state !== approvalsv1.RequestState.REQUEST_STATE_PENDING) return html`<p class="notice">This request is ${stateWord(approvalsv1.requestStateToJSON(r.state))}: there is nothing to decide.</p>`;
  const stepUp = r.requireStepUpToApprove && !strong;
  const checklist = r.acknowledgements.length
    ? html`<fieldset><legend>To approve, confirm each of these</legend>${r.acknowledgements.map((a, i) => html`<div><input type="checkbox" id="ack-${i}" name="ack" value="${a.id}"> <label for="ack-${i}">${a.text}</label></div>`)}</fieldset>`
    : '';
  const mine = r.requester === v.subject;
  return html`<h2 id="decide">Your decision</h2>
${stepUp ? html`<p class="notice">This policy needs a fresh strong sign-in (step-up) to approve. <a href="/auth/sign-in?strong=1&amp;return_to=${encodeURIComponent(action.replace(/\/act$/, ''))}">Sign in again with a second factor</a>, then approve. You can decline or comment now.</p>` : ''}
${mine ? html`<p class="notice">You asked for this: you may comment; approvers decide.</p>` : ''}
<form method="post" action="${action}" aria-labelledby="decide">
<input type="hidden" name="csrf" value="${v.csrf}">
${mine ? '' : checklist}
<label for="reason">Reason (required)</label>
<textarea id="reason" name="reason" required maxlength="2000"></textarea>
<div>${mine ? '' : html`${stepUp ? '' : html`<button class="approve" type="submit" name="decision" value="approve">Approve</button>`}<button class="decline" type="submit" name="decision" value="decline">Decline</button><button type="submit" name="decision" value="request_changes">Request changes</button>`}<button type="submit" name="decision" value="comment">Comment</button></div>
</form>`;
}

function otherForms(r: Request, v: Viewer, base: string): Html {
  if (r.state !== approvalsv1.RequestState.REQUEST_STATE_PENDING || r.requester === v.subject) return html``;
  return html`<h2>Set aside or pass on</h2>
<form method="post" action="${base}/snooze" class="filters"><input type="hidden" name="csrf" value="${v.csrf}"><div>${snoozeSelect('snooze-preset')}</div><div><button type="submit">Snooze</button></div></form>
<form method="post" action="${base}/reassign"><input type="hidden" name="csrf" value="${v.csrf}">
<fieldset><legend>Reassign your part</legend>
<p><label for="reassign-to">To (a member of ${r.tenant})</label><br><input type="text" id="reassign-to" name="to" required maxlength="128" autocomplete="off"></p>
<p><label for="reassign-reason">Reason</label><br><textarea id="reassign-reason" name="reason" required maxlength="2000"></textarea></p>
<button type="submit">Reassign</button></fieldset></form>`;
}

export function requestBody(r: Request, v: Viewer, opts: { strong: boolean; notice?: Html }): Html {
  const base = `/requests/${encodeURIComponent(r.tenant)}/${encodeURIComponent(r.id)}`;
  return html`${opts.notice ?? ''}${facts(r)}
<h2>Justification</h2><p>${r.justification.trim() || '(none given)'}</p>
${parameters(r)}
<h2>Approvers</h2>${stages(r)}
<h2>History</h2><ol class="timeline">${timeline(r).map((e) => html`<li>${timeEl(e.at)}${e.text}</li>`)}</ol>
${decideForm(r, v, `${base}/act`, opts.strong)}
${otherForms(r, v, base)}`;
}

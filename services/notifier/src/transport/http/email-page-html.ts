import { escapeHtml } from '../../domain/email/html.js';
import { utc, votesLine } from '../../domain/email/approval-email.js';
import type { RequestForApprover } from '../../domain/ports.js';

/**
 * The email pages' HTML. Every value is escaped here; styles carry the response's
 * CSP nonce, and no script is ever served.
 */
export function pageHtml(nonce: string, title: string, body: string, opts: { refreshTo?: string } = {}): string {
  const refresh = opts.refreshTo ? `<meta http-equiv="refresh" content="0;url=${escapeHtml(opts.refreshTo)}">\n` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
${refresh}<title>${escapeHtml(title)} · Assent</title>
<style nonce="${nonce}">body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b;line-height:1.4}
th{text-align:left;padding:2px 12px 2px 0;vertical-align:top}td{padding:2px 0}
blockquote{margin:0;padding:0 0 0 12px;border-left:3px solid #ccc;white-space:pre-wrap}
textarea{width:100%;min-height:5rem;font:inherit}button{font:inherit;padding:.5rem 1.2rem;margin:.5rem .5rem 0 0;border-radius:4px;border:1px solid #555;cursor:pointer}
.approve{background:#0b6e2e;color:#fff}.decline{background:#a4161a;color:#fff}.notice{background:#fff4ce;padding:.5rem 1rem;border-radius:4px}.error{background:#fde7e9;padding:.5rem 1rem;border-radius:4px}</style>
</head><body><main><h1>${escapeHtml(title)}</h1>
${body}
</main></body></html>
`;
}

export function summaryHtml(c: RequestForApprover): string {
  const r = c.request;
  const rows: [string, string][] = [
    ['Action', r.action],
    ['Resource', r.resource],
    ['Requester', r.requester],
    ['Policy', r.policyId || 'unknown'],
    ['State', c.state.toLowerCase().replace('_', ' ')],
    ['Votes', votesLine(r)],
    ['Due', r.dueAt ? utc(r.dueAt) : 'no deadline'],
    ['Request', r.id],
  ];
  return `<table>${rows.map(([k, v]) => `<tr><th scope="row">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('')}</table>
<p><strong>Justification</strong></p><blockquote>${escapeHtml(r.justification.trim() || '(none given)')}</blockquote>`;
}

/** The confirmation form: Approve (unless the policy needs a step-up) and Decline, each with the reason. */
export function decisionFormHtml(c: RequestForApprover, opts: { action: string; csrf: string; principal: string; portalUrl: string }): string {
  if (c.state !== 'PENDING') {
    return `<p class="notice">This request is already ${escapeHtml(c.state.toLowerCase().replace('_', ' '))}: there is nothing to decide. <a href="${escapeHtml(opts.portalUrl)}">Open it in the Assent portal</a>.</p>`;
  }
  const stepUp = c.request.requireStepUpToApprove
    ? `<p class="notice">This policy needs a fresh sign-in (step-up) to approve, which an email link cannot give: <a href="${escapeHtml(opts.portalUrl)}">approve in the Assent portal</a>. You can decline here.</p>`
    : '';
  const approve = c.request.requireStepUpToApprove ? '' : '<button class="approve" type="submit" name="decision" value="approve">Approve</button>';
  return `${stepUp}<form method="post" action="${escapeHtml(opts.action)}">
<input type="hidden" name="csrf" value="${escapeHtml(opts.csrf)}">
<p>Deciding as <strong>${escapeHtml(opts.principal)}</strong>.</p>
${acknowledgementsHtml(c)}<label for="reason">Reason (required)</label>
<textarea id="reason" name="reason" required maxlength="2000"></textarea>
<div>${approve}<button class="decline" type="submit" name="decision" value="decline">Decline</button></div>
</form>`;
}

/** The checklist an approval needs; declining needs none, so the boxes are not `required`. */
function acknowledgementsHtml(c: RequestForApprover): string {
  if (!c.acknowledgements.length || c.request.requireStepUpToApprove) return '';
  const boxes = c.acknowledgements
    .map((a, i) => `<div><input type="checkbox" id="ack-${i}" name="ack" value="${escapeHtml(a.id)}"> <label for="ack-${i}">${escapeHtml(a.text)}</label></div>`)
    .join('\n');
  return `<fieldset><legend>To approve, confirm each of these</legend>\n${boxes}\n</fieldset>\n`;
}

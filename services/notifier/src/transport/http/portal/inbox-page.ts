import { approvalsv1 } from '@assent/proto';
import { html, stateWord, timeEl, type Html } from './portal-html.js';

export type Tab = 'pending' | 'snoozed' | 'done';
export const TABS: Record<Tab, { label: string; proto: approvalsv1.InboxTab }> = {
  pending: { label: 'Pending', proto: approvalsv1.InboxTab.INBOX_TAB_PENDING },
  snoozed: { label: 'Snoozed', proto: approvalsv1.InboxTab.INBOX_TAB_SNOOZED },
  done: { label: 'Done', proto: approvalsv1.InboxTab.INBOX_TAB_DONE },
};

export const SNOOZE_PRESETS: Record<string, { label: string; proto: approvalsv1.SnoozePreset }> = {
  'one-hour': { label: '1 hour', proto: approvalsv1.SnoozePreset.SNOOZE_PRESET_ONE_HOUR },
  'four-hours': { label: '4 hours', proto: approvalsv1.SnoozePreset.SNOOZE_PRESET_FOUR_HOURS },
  tomorrow: { label: 'Tomorrow 09:00 UTC', proto: approvalsv1.SnoozePreset.SNOOZE_PRESET_TOMORROW },
  'next-week': { label: 'Next Monday 09:00 UTC', proto: approvalsv1.SnoozePreset.SNOOZE_PRESET_NEXT_WEEK },
};

export interface InboxFilters {
  tab: Tab;
  action: string;
  requester: string;
  overdue: boolean;
  page: string;
}

export const requestPath = (r: { tenant: string; id: string }): string => `/requests/${encodeURIComponent(r.tenant)}/${encodeURIComponent(r.id)}`;

const query = (f: InboxFilters, over: Partial<InboxFilters>): string => {
  const g = { ...f, ...over };
  const q = new URLSearchParams({ tab: g.tab });
  if (g.action) q.set('action', g.action);
  if (g.requester) q.set('requester', g.requester);
  if (g.overdue) q.set('overdue', '1');
  if (g.page) q.set('page', g.page);
  return `/inbox?${q.toString()}`;
};

export function snoozeSelect(id: string): Html {
  return html`<label for="${id}">Snooze until</label>
<select id="${id}" name="preset">${Object.entries(SNOOZE_PRESETS).map(([v, p]) => html`<option value="${v}">${p.label}</option>`)}</select>`;
}

/** The approver's inbox: tabs, filters, a list (due first on Pending) and, on Pending, bulk actions. */
export function inboxBody(f: InboxFilters, res: approvalsv1.ListInboxResponse, csrf: string, notice?: Html): Html {
  const tabs = html`<nav aria-label="Inbox tabs"><ul class="tabs">${(Object.keys(TABS) as Tab[]).map(
    (t) => html`<li><a href="${query(f, { tab: t, page: '' })}"${t === f.tab ? html` aria-current="page"` : ''}>${TABS[t].label}</a></li>`,
  )}</ul></nav>`;
  const filters = html`<form method="get" action="/inbox" class="filters" aria-label="Filters">
<input type="hidden" name="tab" value="${f.tab}">
<div><label for="f-action">Action</label><input type="text" id="f-action" name="action" value="${f.action}" placeholder="e.g. payouts.change_details"></div>
<div><label for="f-requester">Requester</label><input type="text" id="f-requester" name="requester" value="${f.requester}"></div>
<div><span><input type="checkbox" id="f-overdue" name="overdue" value="1"${f.overdue ? html` checked` : ''}> <label for="f-overdue">Overdue only</label></span></div>
<div><button type="submit">Filter</button></div>
</form>`;
  const items = res.items;
  const pending = f.tab === 'pending';
  const when = { pending: 'Due', snoozed: 'Back in pending', done: 'You acted' }[f.tab];
  const rows = items.map((it, i) => {
    const r = it.request as approvalsv1.ApprovalRequest;
    const at = f.tab === 'pending' ? r.timers?.dueAt : f.tab === 'snoozed' ? it.snoozedUntil : it.actedAt;
    const overdue = r.timers?.overdue ? html` <span class="badge overdue">overdue</span>` : '';
    return html`<tr>
${pending ? html`<td><input type="checkbox" id="sel-${i}" name="id" value="${r.id}" form="bulk"><label for="sel-${i}" class="skip">Select ${r.action} on ${r.resource}</label></td>` : ''}
<td><a href="${requestPath(r)}">${r.action}</a><br><span>${r.resource}</span></td>
<td>${r.requester}</td>
<td>${at ? timeEl(at) : html`<span>—</span>`}${overdue}</td>
<td class="hide-sm">${stateWord(approvalsv1.requestStateToJSON(r.state))}</td>
</tr>`;
  });
  const table = items.length
    ? html`<div class="list"><table><caption class="skip">${TABS[f.tab].label} requests</caption><thead><tr>${pending ? html`<th scope="col"><span class="skip">Select</span></th>` : ''}<th scope="col">Request</th><th scope="col">Requester</th><th scope="col">${when}</th><th scope="col" class="hide-sm">State</th></tr></thead>
<tbody>${rows}</tbody></table></div>`
    : html`<p>Nothing here${f.action || f.requester || f.overdue ? ' with these filters' : ''}.</p>`;
  const next = res.nextPageToken ? html`<p><a href="${query(f, { page: res.nextPageToken })}">Next page</a></p>` : '';
  const bulk =
    pending && items.length
      ? html`<form id="bulk" method="post" action="/inbox/bulk">
<input type="hidden" name="csrf" value="${csrf}">
<fieldset><legend>With the selected requests</legend>
<label for="bulk-reason">Reason (required to approve or decline)</label>
<textarea id="bulk-reason" name="reason" maxlength="2000"></textarea>
<div><button class="approve" type="submit" name="action" value="approve">Approve selected</button><button class="decline" type="submit" name="action" value="decline">Decline selected</button></div>
<p>${snoozeSelect('bulk-preset')} <button type="submit" name="action" value="snooze">Snooze selected</button></p>
</fieldset></form>`
      : '';
  return html`${notice ?? ''}${tabs}${filters}${table}${next}${bulk}`;
}

/** What a bulk action did, item by item, in the order given. */
export function bulkResultBody(kind: string, results: approvalsv1.BulkItemResult[], back: string): Html {
  const ok = results.filter((r) => r.ok).length;
  return html`<p class="${ok === results.length ? 'ok' : 'notice'}" role="status">${kind}: ${ok} of ${results.length} done.</p>
<ul>${results.map((r) => html`<li>${r.request ? html`<a href="${requestPath(r.request)}">${r.request.action} on ${r.request.resource}</a>` : r.id}: ${r.ok ? 'done' : html`not done — ${r.message}`}</li>`)}</ul>
<p><a href="${back}">Back to the inbox</a></p>`;
}

import type { approvalsv1 } from '@assent/proto';
import { indent, renderFields, renderTable } from './table.js';
import { iso } from './values.js';

/** Where a delegation stands at `now`: upcoming, active, over, or ended early (when, by whom). */
export function delegationStatus(d: approvalsv1.Delegation, now: Date): string {
  if (d.endedAt) return `ended ${iso(d.endedAt)}${d.endedBy ? ` by ${d.endedBy}` : ''}`;
  if (d.startsAt && d.startsAt > now) return 'upcoming';
  if (d.endsAt && d.endsAt <= now) return 'over';
  return 'active';
}

/** The key/value block for one delegation (what set and end print). */
export function renderDelegation(d: approvalsv1.Delegation, now: Date): string {
  return renderFields([
    ['id', d.id],
    ['away', d.from],
    ['delegate', `${d.to} (acts for ${d.from})`],
    ['starts', iso(d.startsAt)],
    ['ends', iso(d.endsAt)],
    ['status', delegationStatus(d, now)],
    ['reason', d.reason],
    ['set by', `${d.createdBy} at ${iso(d.createdAt)}`],
  ]);
}

/**
 * The two tables of `delegation list`: those `who` gave (they are away; the delegate
 * acts for them) and those they received (they act for someone away).
 */
export function renderDelegationList(res: approvalsv1.ListDelegationsResponse, who: string | undefined, now: Date): string {
  const person = who ?? 'you';
  const acts = who === undefined ? 'act' : 'acts';
  const table = (other: 'TO' | 'FROM', rows: approvalsv1.Delegation[]) =>
    rows.length
      ? indent(
          renderTable(
            ['ID', other, 'STARTS', 'ENDS', 'STATUS', 'SET BY', 'REASON'],
            rows.map((d) => [d.id, other === 'TO' ? d.to : d.from, iso(d.startsAt), iso(d.endsAt), delegationStatus(d, now), d.createdBy, d.reason]),
          ),
        )
      : '  (none)';
  return [`given (TO acts for ${person}):`, table('TO', res.given), `received (${person} ${acts} for FROM):`, table('FROM', res.received)].join('\n');
}

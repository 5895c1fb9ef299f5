import { describe, expect, it } from 'vitest';
import { ulid } from 'ulid';
import type { InboxIndex } from '../../src/domain/ports.js';
import type { ApprovalRequest } from '../../src/domain/types.js';
import { pendingRequest } from './request-watcher.contract.js';

const at = (minutes: number) => new Date(Date.UTC(2030, 0, 1, 0, minutes));
const due = (r: ApprovalRequest, minutes: number): ApprovalRequest => ({ ...r, timers: { ...r.timers, dueAt: at(minutes) } });

/** One contract for every InboxIndex: Redis and its in-memory twin. */
export function inboxIndexContract(name: string, make: () => Promise<InboxIndex>, tenantOf: () => string): void {
  describe(`InboxIndex contract: ${name}`, () => {
    it('files pending requests under their awaited subjects in due order, and takes them out when they leave', async () => {
      const index = await make();
      const t = tenantOf();
      const early = due({ ...pendingRequest(t, ulid()), snoozes: [] }, 30);
      const late = due({ ...pendingRequest(t, ulid()), snoozes: [], requirements: [{ name: 'approvers', approvers: ['user:bob', 'group:ops#member'], quorum: 1 }] }, 90);
      await index.project(late);
      await index.project(early);
      const page = await index.page(t, 'pending', ['user:bob'], undefined, 10);
      expect(page.map((e) => e.id)).toEqual([early.id, late.id]);
      expect((await index.page(t, 'pending', ['user:bob'], page[0], 10)).map((e) => e.id)).toEqual([late.id]);
      expect((await index.page(t, 'pending', ['group:ops#member', 'user:nobody'], undefined, 10)).map((e) => e.id)).toEqual([late.id]);
      // Decided: out of every pending inbox, into the voter's done tab.
      await index.project({ ...late, state: 'DECLINED', votes: [{ approver: 'bob', outcome: 'DECLINE', comment: 'no', at: at(40), submission: 1, eligibleFor: ['approvers'], acknowledged: [] }] });
      expect((await index.page(t, 'pending', ['user:bob', 'group:ops#member'], undefined, 10)).map((e) => e.id)).toEqual([early.id]);
      expect((await index.page(t, 'done', ['bob'], undefined, 10)).map((e) => e.id)).toEqual([late.id]);
      expect(await index.page(`${t}-other`, 'pending', ['user:bob'], undefined, 10)).toEqual([]);
    });

    it('keeps snoozes by return time, newest done first, and is idempotent', async () => {
      const index = await make();
      const t = tenantOf();
      const a = { ...pendingRequest(t, ulid()), snoozes: [{ user: 'bob', until: at(120) }] };
      const b = { ...pendingRequest(t, ulid()), snoozes: [{ user: 'bob', until: at(60) }] };
      await index.project(a);
      await index.project(b);
      await index.project(b);
      expect((await index.page(t, 'snoozed', ['bob'], undefined, 10)).map((e) => e.id)).toEqual([b.id, a.id]);
      await index.project({ ...a, snoozes: [] });
      expect((await index.page(t, 'snoozed', ['bob'], undefined, 10)).map((e) => e.id)).toEqual([b.id]);
      const vote = (minutes: number) => [{ approver: 'carol', outcome: 'APPROVE' as const, comment: 'ok', at: at(minutes), submission: 1, eligibleFor: ['approvers'], acknowledged: [] }];
      await index.project({ ...a, votes: vote(10) });
      await index.project({ ...b, votes: vote(20) });
      expect((await index.page(t, 'done', ['carol'], undefined, 10)).map((e) => e.id)).toEqual([b.id, a.id]);
    });
  });
}

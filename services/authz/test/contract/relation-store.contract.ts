import { describe, expect, it } from 'vitest';
import { grantKey } from '../../src/domain/grant-key.js';
import type { RelationStore } from '../../src/domain/ports.js';

/** One contract for every RelationStore: the OpenFGA adapter and its in-memory twin. */
export function relationStoreContract(name: string, make: () => Promise<RelationStore>, tenantOf: () => string): void {
  describe(`RelationStore contract: ${name}`, () => {
    it('tracks tenant membership per tenant', async () => {
      const store = await make();
      const t = tenantOf();
      expect(await store.isMember(t, 'alice')).toBe(false);
      await store.addMember(t, 'alice');
      await store.addMember(t, 'alice');
      expect(await store.isMember(t, 'alice')).toBe(true);
      expect(await store.isMember(`${t}-other`, 'alice')).toBe(false);
    });

    it('replaces the approver set of an action', async () => {
      const store = await make();
      const t = tenantOf();
      await store.setApprovers(t, 'payouts.change_details', ['user:bob', 'user:carol']);
      expect(await store.isApprover(t, 'payouts.change_details', 'bob')).toBe(true);
      expect(await store.isApprover(t, 'payouts.change_details', 'dave')).toBe(false);
      await store.setApprovers(t, 'payouts.change_details', ['user:carol']);
      expect(await store.isApprover(t, 'payouts.change_details', 'bob')).toBe(false);
      expect(await store.isApprover(t, 'payouts.change_details', 'carol')).toBe(true);
      expect(await store.isApprover(t, 'keys.rotate', 'carol')).toBe(false);
    });

    it('keeps groups per tenant: members, approvers through a group, matching and removal', async () => {
      const store = await make();
      const t = tenantOf();
      const other = `${t}-other`;
      for (const u of ['bob', 'carol', 'okta:erin']) await store.addMember(t, u);
      await store.addMember(other, 'mallory');
      await store.addGroupMember(t, 'finance-leads', 'bob');
      await store.addGroupMember(t, 'finance-leads', 'okta:erin');
      await store.addGroupMember(t, 'finance-leads', 'bob');
      await store.addGroupMember(other, 'finance-leads', 'mallory');
      expect((await store.listGroupMembers(t, 'finance-leads', { limit: 10, cursor: undefined })).users.sort()).toEqual(['bob', 'okta:erin']);
      await store.setApprovers(t, 'payouts.change_details', ['group:finance-leads#member', 'user:carol']);
      await store.setApprovers(other, 'payouts.change_details', ['group:finance-leads#member']);
      expect(await store.isApprover(t, 'payouts.change_details', 'bob')).toBe(true);
      expect(await store.isApprover(t, 'payouts.change_details', 'okta:erin')).toBe(true);
      // The other tenant's group of the same name counts only there.
      expect(await store.isApprover(t, 'payouts.change_details', 'mallory')).toBe(false);
      expect(await store.isApprover(other, 'payouts.change_details', 'mallory')).toBe(true);
      // Who to route to: named users and group members, members of the tenant only.
      await store.setApprovers(t, 'keys.rotate', ['group:finance-leads#member', 'user:carol', 'user:dave']);
      expect(await store.listApprovers(t, 'keys.rotate')).toEqual(['bob', 'carol', 'okta:erin']);
      expect(await store.listApprovers(other, 'payouts.change_details')).toEqual(['mallory']);
      const among = ['group:finance-leads#member', 'group:security#member', 'user:bob', 'user:carol'];
      expect(await store.matchSubjects(t, 'bob', among)).toEqual(['group:finance-leads#member', 'user:bob']);
      expect(await store.matchSubjects(t, 'carol', among)).toEqual(['user:carol']);
      expect(await store.matchSubjects(t, 'mallory', among)).toEqual([]);
      // Not a member of the tenant: nothing matches, not even a subject naming the user.
      expect(await store.matchSubjects(t, 'dave', ['user:dave'])).toEqual([]);
      await store.addGroupMember(t, 'security', 'bob');
      expect(await store.groupsOf(t, 'bob')).toEqual(['finance-leads', 'security']);
      expect(await store.groupsOf(other, 'bob')).toEqual([]);
      await store.removeGroupMember(t, 'security', 'bob');
      await store.removeGroupMember(t, 'finance-leads', 'bob');
      await store.removeGroupMember(t, 'finance-leads', 'bob');
      expect(await store.groupsOf(t, 'bob')).toEqual([]);
      expect(await store.isApprover(t, 'payouts.change_details', 'bob')).toBe(false);
      expect(await store.matchSubjects(t, 'bob', among)).toEqual(['user:bob']);
      expect((await store.listGroupMembers(t, 'finance-leads', { limit: 10, cursor: undefined })).users).toEqual(['okta:erin']);
    });

    it('pages through a group', async () => {
      const store = await make();
      const t = tenantOf();
      const users = Array.from({ length: 7 }, (_, i) => `user${i}`);
      for (const u of users) await store.addGroupMember(t, 'big', u);
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.listGroupMembers(t, 'big', { limit: 3, cursor });
        expect(page.users.length).toBeLessThanOrEqual(3);
        seen.push(...page.users);
        cursor = page.next;
      } while (cursor);
      expect(seen.sort()).toEqual(users);
    });

    it('honours a grant only inside its window, for its resource and its grantee', async () => {
      const store = await make();
      const t = tenantOf();
      await store.addMember(t, 'alice');
      await store.setApprovers(t, 'payouts.change_details', ['user:bob']);
      const grantedAt = new Date('2030-01-01T00:00:00Z');
      const expiresAt = new Date('2030-01-01T01:00:00Z');
      await store.writeGrant({ tenant: t, principal: 'alice', action: 'payouts.change_details', resource: 'payout-account/42', grantedAt, expiresAt, requestId: '01JAAAAAAAAAAAAAAAAAAAAAAA', condition: '' });
      const inside = new Date('2030-01-01T00:30:00Z');
      expect((await store.activeGrant(t, 'alice', 'payouts.change_details', 'payout-account/42', inside, ''))?.toISOString()).toBe(expiresAt.toISOString());
      expect(await store.activeGrant(t, 'alice', 'payouts.change_details', 'payout-account/42', new Date('2030-01-01T01:00:01Z'), '')).toBeUndefined();
      expect(await store.activeGrant(t, 'alice', 'payouts.change_details', 'payout-account/43', inside, '')).toBeUndefined();
      expect(await store.activeGrant(t, 'bob', 'payouts.change_details', 'payout-account/42', inside, '')).toBeUndefined();
    });

    it('removes one grant by its start, leaving a later grant for the same resource', async () => {
      const store = await make();
      const t = tenantOf();
      await store.addMember(t, 'alice');
      await store.setApprovers(t, 'keys.rotate', ['user:bob']);
      const base = { tenant: t, principal: 'alice', action: 'keys.rotate', resource: 'key/9', requestId: '01JAAAAAAAAAAAAAAAAAAAAAAA', condition: '' };
      const inside = new Date('2030-01-01T00:30:00Z');
      await store.writeGrant({ ...base, grantedAt: new Date('2030-01-01T00:00:00Z'), expiresAt: new Date('2030-01-01T01:00:00Z') });
      expect(await store.removeGrant(t, 'alice', 'keys.rotate', 'key/9', new Date('2029-12-31T00:00:00Z'), '')).toBe(false);
      expect(await store.activeGrant(t, 'alice', 'keys.rotate', 'key/9', inside, '')).toBeDefined();
      expect(await store.removeGrant(t, 'alice', 'keys.rotate', 'key/9', new Date('2030-01-01T00:00:00Z'), '')).toBe(true);
      expect(await store.activeGrant(t, 'alice', 'keys.rotate', 'key/9', inside, '')).toBeUndefined();
      expect(await store.removeGrant(t, 'alice', 'keys.rotate', 'key/9', new Date('2030-01-01T00:00:00Z'), '')).toBe(false);
    });

    it('replaces an earlier grant for the same action and resource', async () => {
      const store = await make();
      const t = tenantOf();
      await store.addMember(t, 'alice');
      await store.setApprovers(t, 'keys.rotate', ['user:bob']);
      const base = { tenant: t, principal: 'alice', action: 'keys.rotate', resource: 'key/1', requestId: '01JAAAAAAAAAAAAAAAAAAAAAAA', condition: '' };
      await store.writeGrant({ ...base, grantedAt: new Date('2030-01-01T00:00:00Z'), expiresAt: new Date('2030-01-01T00:10:00Z') });
      await store.writeGrant({ ...base, grantedAt: new Date('2030-01-01T00:05:00Z'), expiresAt: new Date('2030-01-01T02:00:00Z') });
      expect((await store.activeGrant(t, 'alice', 'keys.rotate', 'key/1', new Date('2030-01-01T01:00:00Z'), ''))?.toISOString()).toBe('2030-01-01T02:00:00.000Z');
    });

    it('lists a user\'s grants in a tenant by key, and the actions it may approve', async () => {
      const store = await make();
      const [t, other] = [tenantOf(), tenantOf()];
      await Promise.all([store.addMember(t, 'alice'), store.addMember(other, 'alice')]);
      await store.setApprovers(t, 'refunds.issue', ['user:bob', 'group:finance#member']);
      await store.setApprovers(t, 'keys.rotate', ['user:alice']);
      await store.setApprovers(other, 'refunds.issue', ['user:alice']);
      await store.addGroupMember(t, 'finance', 'alice');
      const window = { grantedAt: new Date('2030-01-01T00:00:00Z'), expiresAt: new Date('2030-01-01T01:00:00Z') };
      const base = { tenant: t, principal: 'alice', requestId: '01JAAAAAAAAAAAAAAAAAAAAAAA', ...window };
      await store.writeGrant({ ...base, action: 'refunds.issue', resource: 'refund/1', condition: 'large' });
      await store.writeGrant({ ...base, action: 'keys.rotate', resource: 'key/1', condition: '' });
      await store.writeGrant({ ...base, tenant: other, action: 'refunds.issue', resource: 'refund/1', condition: '' });
      const grants = (await store.grantsOf(t, 'alice')).sort((a, b) => a.key.localeCompare(b.key));
      expect(grants).toEqual(
        [grantKey('refunds.issue', 'refund/1', 'large'), grantKey('keys.rotate', 'key/1', '')].sort().map((key) => ({ key, start: window.grantedAt, end: window.expiresAt })),
      );
      expect(await store.grantsOf(t, 'bob')).toEqual([]);
      expect(await store.approvableActions(t, 'alice')).toEqual(['keys.rotate', 'refunds.issue']);
      expect(await store.approvableActions(t, 'bob')).toEqual(['refunds.issue']);
    });

    it('keeps grants under different protection conditions apart', async () => {
      const store = await make();
      const t = tenantOf();
      await store.addMember(t, 'alice');
      await store.setApprovers(t, 'refunds.issue', ['user:bob']);
      const base = { tenant: t, principal: 'alice', action: 'refunds.issue', resource: 'refund/7', requestId: '01JAAAAAAAAAAAAAAAAAAAAAAA' };
      const inside = new Date('2030-01-01T00:30:00Z');
      await store.writeGrant({ ...base, condition: 'medium', grantedAt: new Date('2030-01-01T00:00:00Z'), expiresAt: new Date('2030-01-01T01:00:00Z') });
      expect((await store.activeGrant(t, 'alice', 'refunds.issue', 'refund/7', inside, 'medium'))?.toISOString()).toBe('2030-01-01T01:00:00.000Z');
      expect(await store.activeGrant(t, 'alice', 'refunds.issue', 'refund/7', inside, 'large')).toBeUndefined();
      expect(await store.activeGrant(t, 'alice', 'refunds.issue', 'refund/7', inside, '')).toBeUndefined();
      expect((await store.grantFacts(t, 'alice', 'refunds.issue', 'refund/7', 'large')).window).toBeUndefined();
      expect(await store.removeGrant(t, 'alice', 'refunds.issue', 'refund/7', new Date('2030-01-01T00:00:00Z'), 'large')).toBe(false);
      expect(await store.removeGrant(t, 'alice', 'refunds.issue', 'refund/7', new Date('2030-01-01T00:00:00Z'), 'medium')).toBe(true);
      expect(await store.activeGrant(t, 'alice', 'refunds.issue', 'refund/7', inside, 'medium')).toBeUndefined();
    });

    it('writes a burst of concurrent grants, a replacement and a retry among them', async () => {
      const store = await make();
      const t = tenantOf();
      const users = Array.from({ length: 60 }, (_, i) => `user${i}`);
      await Promise.all(users.map((u) => store.addMember(t, u)));
      await store.setApprovers(t, 'keys.rotate', ['user:bob']);
      const grant = (u: string, r: string, end: string) => ({
        tenant: t, principal: u, action: 'keys.rotate', resource: r, requestId: '01JAAAAAAAAAAAAAAAAAAAAAAA', condition: '',
        grantedAt: new Date('2030-01-01T00:00:00Z'), expiresAt: new Date(end),
      });
      await store.writeGrant(grant('user0', 'key/0', '2030-01-01T00:10:00Z'));
      await Promise.all([
        ...users.map((u) => store.writeGrant(grant(u, `key/${u}`, '2030-01-01T01:00:00Z'))),
        store.writeGrant(grant('user0', 'key/0', '2030-01-01T02:00:00Z')),
        store.writeGrant(grant('user1', 'key/user1', '2030-01-01T01:00:00Z')),
      ]);
      const at = new Date('2030-01-01T00:30:00Z');
      const ends = await Promise.all(users.map(async (u) => (await store.activeGrant(t, u, 'keys.rotate', `key/${u}`, at, ''))?.toISOString()));
      expect(ends).toEqual(users.map(() => '2030-01-01T01:00:00.000Z'));
      expect((await store.activeGrant(t, 'user0', 'keys.rotate', 'key/0', new Date('2030-01-01T01:30:00Z'), ''))?.toISOString()).toBe('2030-01-01T02:00:00.000Z');
    });
  });
}

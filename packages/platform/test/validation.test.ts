import { describe, expect, it } from 'vitest';
import { patterns } from '@assent/platform';

describe('identifier patterns', () => {
  it('take users with or without their issuer namespace, and nothing nested', () => {
    for (const ok of ['alice', 'alice@corp.com', 'okta:alice', 'idp.example.com:bob.smith']) expect(patterns.user.test(ok), ok).toBe(true);
    for (const bad of ['', ':alice', 'okta:', 'a:b:c', 'Okta:alice', 'alice|x', 'al ice']) expect(patterns.user.test(bad), bad).toBe(false);
  });

  it('take approvers as users (namespaced too) or group members', () => {
    for (const ok of ['user:bob', 'user:okta:bob', 'group:finance#member']) expect(patterns.approver.test(ok), ok).toBe(true);
    for (const bad of ['bob', 'user:a:b:c', 'group:finance', 'group:finance#admin', 'team:x#member']) expect(patterns.approver.test(bad), bad).toBe(false);
  });
});

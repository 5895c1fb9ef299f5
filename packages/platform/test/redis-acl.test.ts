import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { redisAclLines, redisServiceUsers, type RedisServiceUser } from '@assent/platform';

describe('redisAclLines', () => {
  it('gives each service one user with its own keys, and turns the anonymous user off', () => {
    const lines = redisAclLines('assent', Object.fromEntries(redisServiceUsers.map((u) => [u, `pw-${u}`])) as Record<RedisServiceUser, string>);
    expect(lines[0]).toBe('user default off');
    expect(lines).toContain('user authz on >pw-authz resetkeys ~assent:authz:* ~assent:rl:authz:* resetchannels +@all -@dangerous +info');
    expect(lines).toContain('user notifier on >pw-notifier resetkeys ~assent:elink:notifier:* ~assent:slack:notifier:* ~assent:portal:notifier:* ~assent:rl:notifier:* resetchannels +@all -@dangerous +info');
    expect(lines).toHaveLength(1 + redisServiceUsers.length);
  });

  it('is what the Kubernetes dev overlay runs Redis with (regenerate deploy/k8s/overlays/dev/redis-users.acl when this fails)', () => {
    const file = readFileSync(new URL('../../../deploy/k8s/overlays/dev/redis-users.acl', import.meta.url), 'utf8').trim().split('\n');
    const passwords: Record<string, string> = {};
    for (const line of file) {
      const m = /^user (\S+) on >(\S+)/.exec(line);
      if (m?.[1] && m[2]) passwords[m[1]] = m[2];
    }
    const generated = redisAclLines('assent', passwords as Record<RedisServiceUser, string>);
    expect(file.filter((l) => !l.startsWith('user probe '))).toEqual(generated);
    expect(file).toContain('user probe on nopass resetkeys resetchannels -@all +ping');
  });
});

/**
 * Least privilege in Redis: each service's ACL user may touch only its own keys
 * (below `<root>:`), with no dangerous commands (KEYS, FLUSHALL, CONFIG, …), and
 * the default (anonymous) user is off. The key patterns follow the key builders
 * of each service's Redis adapter; a service that gets NOPERM has outgrown them.
 */
export const redisKeyPatterns = {
  approvals: ['idem:approvals:*', 'inbox:approvals:*'],
  authz: ['authz:*'],
  audit: ['audit:*'],
  delivery: ['seen:delivery-worker:*'],
  // The single-use guard of email links, the Slack replay guard, portal sessions and sign-ins (and its rate-limit buckets, below).
  notifier: ['elink:notifier:*', 'slack:notifier:*', 'portal:notifier:*'],
} as const satisfies Record<string, readonly string[]>;

export type RedisServiceUser = keyof typeof redisKeyPatterns;
export const redisServiceUsers = Object.keys(redisKeyPatterns) as RedisServiceUser[];

/** redis.conf / ACL file lines: one user per service with its password, and no anonymous access. */
export function redisAclLines(root: string, passwords: Readonly<Record<RedisServiceUser, string>>): string[] {
  const lines = ['user default off'];
  for (const user of redisServiceUsers) {
    // Every service keeps its inbound rate-limit buckets under rl:<service>:.
    const keys = [...redisKeyPatterns[user], `rl:${user}:*`].map((p) => `~${root}:${p}`);
    // INFO is flagged dangerous but is ioredis's ready check.
    lines.push(`user ${user} on >${passwords[user]} resetkeys ${keys.join(' ')} resetchannels +@all -@dangerous +info`.replace(/ {2,}/g, ' '));
  }
  return lines;
}

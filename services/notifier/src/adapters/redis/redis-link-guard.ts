import type { Redis } from 'ioredis';
import type { LinkGuard } from '../../domain/ports.js';

/** `elink:notifier:<tenant>:<link id>` (under the service's `<root>:` prefix; redis-acl.ts lets only the notifier touch it). */
export const linkGuardKey = (tenant: string, linkId: string): string => `elink:notifier:${tenant}:${linkId}`;

/**
 * Single use across every replica: a link is used once SET NX succeeded for it.
 * The key lives until the link would have expired anyway (plus a minute of clock
 * skew), after which the signature check refuses it on its own.
 */
export class RedisLinkGuard implements LinkGuard {
  constructor(private readonly redis: Redis) {}

  async used(tenant: string, linkId: string): Promise<boolean> {
    return (await this.redis.exists(linkGuardKey(tenant, linkId))) === 1;
  }

  async claim(tenant: string, linkId: string, until: Date): Promise<boolean> {
    const seconds = Math.max(1, Math.ceil((until.getTime() - Date.now()) / 1000) + 60);
    return (await this.redis.set(linkGuardKey(tenant, linkId), '1', 'EX', seconds, 'NX')) === 'OK';
  }

  async release(tenant: string, linkId: string): Promise<void> {
    await this.redis.del(linkGuardKey(tenant, linkId));
  }
}

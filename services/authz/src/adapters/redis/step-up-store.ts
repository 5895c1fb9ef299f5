import type { Redis } from 'ioredis';
import type { StepUpStore } from '../../domain/ports.js';
import type { StepUpSession } from '../../domain/types.js';

/** `authz:stepup:<tenant>:<principal>`: the session's sign-in, expiring with the session. */
export const stepUpKey = (tenant: string, principal: string) => `authz:stepup:${tenant}:${principal}`;

interface SessionJson {
  acr: string;
  amr: string[];
  authTime: string;
}

/**
 * Step-up sessions in Redis, shared by every replica: one key per (tenant,
 * principal) whose TTL is the session's window; using the session slides it
 * (PEXPIRE, then read, in one round trip). Losing Redis loses the sessions: people
 * step up again, which fails safe.
 */
export class RedisStepUpStore implements StepUpStore {
  constructor(
    private readonly redis: Redis,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async open(tenant: string, s: StepUpSession, windowMs: number): Promise<void> {
    const value: SessionJson = { acr: s.acr, amr: s.amr, authTime: s.authTime.toISOString() };
    await this.redis.set(stepUpKey(tenant, s.principal), JSON.stringify(value), 'PX', windowMs);
  }

  async peek(tenant: string, principal: string): Promise<StepUpSession | undefined> {
    const key = stepUpKey(tenant, principal);
    const [raw, ttl] = await Promise.all([this.redis.get(key), this.redis.pttl(key)]);
    if (typeof raw !== 'string' || ttl < 0) return undefined;
    const j = JSON.parse(raw) as SessionJson;
    return { principal, acr: j.acr, amr: j.amr, authTime: new Date(j.authTime), expiresAt: new Date(this.now().getTime() + ttl) };
  }

  async touch(tenant: string, principal: string, windowMs: number): Promise<StepUpSession | undefined> {
    const key = stepUpKey(tenant, principal);
    const res = await this.redis.multi().pexpire(key, windowMs).get(key).exec();
    const raw = res?.[1]?.[1];
    if (typeof raw !== 'string') return undefined;
    const j = JSON.parse(raw) as SessionJson;
    return { principal, acr: j.acr, amr: j.amr, authTime: new Date(j.authTime), expiresAt: new Date(this.now().getTime() + windowMs) };
  }
}

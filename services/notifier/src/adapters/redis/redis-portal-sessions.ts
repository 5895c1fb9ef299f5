import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import type { PendingSignIn, PortalSession, PortalSessionStore } from '../../transport/http/portal/portal-ports.js';

// Keys hold a hash of the browser's id, so a Redis dump holds no usable cookie.
const digest = (id: string): string => createHash('sha256').update(id).digest('base64url');
/** `portal:notifier:session:<sha256(id)>` (under the service's `<root>:` prefix; redis-acl.ts). */
export const portalSessionKey = (id: string): string => `portal:notifier:session:${digest(id)}`;
/** `portal:notifier:signin:<sha256(id)>`: a sign-in under way, until its callback. */
export const portalSignInKey = (id: string): string => `portal:notifier:signin:${digest(id)}`;

/** A random id of 256 bits, base64url: what the cookies carry. */
export const newPortalId = (): string => randomBytes(32).toString('base64url');

/**
 * Portal sessions in Redis, shared by every replica, each expiring with the session
 * (never beyond its access token). Losing Redis signs people out, nothing more.
 */
export class RedisPortalSessions implements PortalSessionStore {
  constructor(
    private readonly redis: Redis,
    private readonly now: () => number = Date.now,
  ) {}

  async create(session: PortalSession): Promise<string> {
    const id = newPortalId();
    const ms = Math.max(1_000, session.expiresAt - this.now());
    await this.redis.set(portalSessionKey(id), JSON.stringify(session), 'PX', ms);
    return id;
  }

  async get(id: string): Promise<PortalSession | undefined> {
    const raw = await this.redis.get(portalSessionKey(id));
    if (!raw) return undefined;
    const session = JSON.parse(raw) as PortalSession;
    return session.expiresAt > this.now() ? session : undefined;
  }

  async delete(id: string): Promise<void> {
    await this.redis.del(portalSessionKey(id));
  }

  async savePending(id: string, pending: PendingSignIn, ttlSeconds: number): Promise<void> {
    await this.redis.set(portalSignInKey(id), JSON.stringify(pending), 'EX', ttlSeconds);
  }

  async takePending(id: string): Promise<PendingSignIn | undefined> {
    const raw = await this.redis.getdel(portalSignInKey(id));
    return raw ? (JSON.parse(raw) as PendingSignIn) : undefined;
  }
}

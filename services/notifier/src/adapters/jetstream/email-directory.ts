import { KvMirror, openKvBucket, streamReplicas, type Logger } from '@assent/platform';
import type { KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';
import type { EmailDirectory } from '../../domain/ports.js';

export const emailDirectoryBucket = (root: string): string => `${root.toUpperCase()}_notifier_email_directory`;

interface Entry {
  tenant: string;
  principal: string;
  address: string;
}

/** KV keys allow only [-/_=.A-Za-z0-9]: the principal (`okta:alice@x`) is base64url-encoded. */
const keyOf = (tenant: string, principal: string): string => `${tenant}.${Buffer.from(principal, 'utf8').toString('base64url')}`;

/** Opens (or creates) the bucket; an address is replaced whole, so one revision is kept. */
export function openEmailDirectoryBucket(nc: NatsConnection, root: string): Promise<KV> {
  return openKvBucket(nc, emailDirectoryBucket(root), { history: 1, replicas: streamReplicas() });
}

/**
 * Each tenant's principal → email address map in JetStream KV (`<tenant>.<base64url
 * principal>`), mirrored in memory on every replica: the event path looks an
 * address up without a round trip, and a replica reads its own writes.
 */
export class KvEmailDirectory implements EmailDirectory {
  private constructor(
    private readonly kv: KV,
    private readonly mirror: KvMirror<Entry>,
  ) {}

  static async open(kv: KV, logger: Logger): Promise<KvEmailDirectory> {
    return new KvEmailDirectory(kv, await KvMirror.start(kv, (e) => e.json<Entry>(), logger));
  }

  live(): boolean {
    return this.mirror.live();
  }

  async addressOf(tenant: string, principal: string): Promise<string | undefined> {
    return this.mirror.get(keyOf(tenant, principal))?.address;
  }

  async set(tenant: string, principal: string, address: string): Promise<void> {
    await this.mirror.put(keyOf(tenant, principal), JSON.stringify({ tenant, principal, address } satisfies Entry));
  }

  async remove(tenant: string, principal: string): Promise<boolean> {
    const key = keyOf(tenant, principal);
    if (!this.mirror.get(key)) return false;
    await this.kv.delete(key);
    await this.mirror.waitUntil(key, (v) => v === undefined, 5_000);
    return true;
  }

  async list(tenant: string): Promise<{ principal: string; address: string }[]> {
    return this.mirror
      .withPrefix(`${tenant}.`)
      .map((e) => ({ principal: e.principal, address: e.address }))
      .sort((a, b) => (a.principal < b.principal ? -1 : a.principal > b.principal ? 1 : 0));
  }

  stop(): Promise<void> {
    return this.mirror.stop();
  }
}

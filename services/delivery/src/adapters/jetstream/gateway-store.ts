import { AlreadyExistsError, KvMirror, NotFoundError, type Logger, streamReplicas, openKvBucket } from '@assent/platform';
import { type KV, type KvEntry } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';
import type { StreamCredentialRepository } from '../../domain/ports.js';
import type { StreamCredential } from '../../domain/types.js';

/** A tenant's accounts on the event gateway (data and readers), as stored: their keys only sealed. */
export interface GatewayAccount {
  tenant: string;
  publicKey: string;
  /** Compact JWE of the data account's seed (SecretBox, bound to `gateway.<tenant>`). */
  sealedSeed: string;
  readerPublicKey: string;
  /** Compact JWE of the reader account's seed (bound to `gateway.<tenant>.readers`). */
  sealedReaderSeed: string;
  /** Reader public key → unix seconds: every JWT of that reader issued until then is void. */
  revocations: Record<string, number>;
}

type Stored = (Omit<StreamCredential, 'createdAt' | 'revokedAt'> & { kind: 'credential'; createdAt: string; revokedAt?: string }) | (GatewayAccount & { kind: 'account' });

const accountKey = (tenant: string) => `account.${tenant}`;
const credentialKey = (tenant: string, id: string) => `cred.${tenant}.${id}`;

export function openGatewayBucket(nc: NatsConnection, bucket: string): Promise<KV> {
  return openKvBucket(nc, bucket, { history: 5, replicas: streamReplicas() });
}

/**
 * Delivery's records of the event gateway in JetStream KV (`<ROOT>_delivery_gateway`,
 * readable by delivery only): tenant accounts (`account.<tenant>`) and stream
 * credentials (`cred.<tenant>.<id>`), read through an in-memory mirror. Accounts change
 * by compare-and-set on the KV revision, so two replicas revoking at once both land,
 * and the account JWT is always re-signed from the latest record.
 */
export class KvGatewayStore implements StreamCredentialRepository {
  private constructor(
    private readonly kv: KV,
    private readonly mirror: KvMirror<Stored>,
  ) {}

  static async open(kv: KV, logger: Logger): Promise<KvGatewayStore> {
    return new KvGatewayStore(kv, await KvMirror.start(kv, (e: KvEntry) => e.json<Stored>(), logger));
  }

  live(): boolean {
    return this.mirror.live();
  }

  stop(): Promise<void> {
    return this.mirror.stop();
  }

  account(tenant: string): GatewayAccount | undefined {
    const s = this.mirror.get(accountKey(tenant));
    if (s?.kind !== 'account') return undefined;
    const { kind: _kind, ...account } = s;
    return account;
  }

  /** Stores a new account; false if another replica stored one first (use theirs). */
  async createAccount(account: GatewayAccount): Promise<boolean> {
    try {
      await this.mirror.create(accountKey(account.tenant), JSON.stringify({ kind: 'account', ...account } satisfies Stored));
      return true;
    } catch (err) {
      if (this.account(account.tenant)) return false;
      throw err;
    }
  }

  /** The account as stored now (not the mirror's view) and its KV revision. */
  async latestAccount(tenant: string): Promise<{ account: GatewayAccount; revision: number }> {
    const entry = await this.kv.get(accountKey(tenant));
    if (!entry || entry.operation !== 'PUT') throw new NotFoundError('gateway account', tenant);
    const { kind: _kind, ...account } = entry.json<GatewayAccount & { kind: 'account' }>();
    return { account, revision: entry.revision };
  }

  /** Applies `change` to the latest account record by compare-and-set (retried on a lost race); returns what was stored. */
  async updateAccount(tenant: string, change: (a: GatewayAccount) => GatewayAccount): Promise<GatewayAccount> {
    for (let attempt = 0; ; attempt++) {
      const { account: current, revision } = await this.latestAccount(tenant);
      const next = change(current);
      try {
        await this.mirror.waitFor(await this.kv.update(accountKey(tenant), JSON.stringify({ kind: 'account', ...next } satisfies Stored), revision));
        return next;
      } catch (err) {
        if (attempt >= 10 || !/wrong last sequence/i.test((err as Error).message)) throw err;
      }
    }
  }

  async create(c: StreamCredential): Promise<void> {
    try {
      await this.mirror.create(credentialKey(c.tenant, c.id), JSON.stringify(toStored(c)));
    } catch (err) {
      if (this.mirror.get(credentialKey(c.tenant, c.id))) throw new AlreadyExistsError(`stream credential "${c.id}" already exists`);
      throw err;
    }
  }

  async get(tenant: string, id: string): Promise<StreamCredential | undefined> {
    const s = this.mirror.get(credentialKey(tenant, id));
    return s?.kind === 'credential' ? fromStored(s) : undefined;
  }

  async list(tenant: string): Promise<StreamCredential[]> {
    return this.mirror
      .withPrefix(`cred.${tenant}.`)
      .filter((s) => s.kind === 'credential')
      .map((s) => fromStored(s as Extract<Stored, { kind: 'credential' }>));
  }

  async update(c: StreamCredential): Promise<void> {
    if (!this.mirror.get(credentialKey(c.tenant, c.id))) throw new NotFoundError('stream credential', c.id);
    await this.mirror.put(credentialKey(c.tenant, c.id), JSON.stringify(toStored(c)));
  }
}

function toStored(c: StreamCredential): Stored {
  const { createdAt, revokedAt, ...rest } = c;
  return { kind: 'credential', ...rest, createdAt: createdAt.toISOString(), ...(revokedAt ? { revokedAt: revokedAt.toISOString() } : {}) };
}

function fromStored(s: Extract<Stored, { kind: 'credential' }>): StreamCredential {
  const { kind: _kind, createdAt, revokedAt, ...rest } = s;
  return { ...rest, createdAt: new Date(createdAt), revokedAt: revokedAt ? new Date(revokedAt) : undefined };
}

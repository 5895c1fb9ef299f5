import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';
import type { PolicyRepository } from '../../domain/ports.js';
import type { Policy } from '../../domain/types.js';

export async function openPolicyBucket(nc: NatsConnection, root: string): Promise<KV> {
  return new Kvm(nc).create(`${root.toUpperCase()}_approvals_policies`, { history: 10 });
}

/** Policies in JetStream KV, key `<tenant>.<action>`; history keeps earlier versions for audit. */
export class KvPolicyRepository implements PolicyRepository {
  constructor(private readonly kv: KV) {}

  async get(tenant: string, action: string): Promise<Policy | undefined> {
    const entry = await this.kv.get(`${tenant}.${action}`);
    return entry && entry.operation === 'PUT' ? entry.json<Policy>() : undefined;
  }

  async put(tenant: string, policy: Policy): Promise<void> {
    await this.kv.put(`${tenant}.${policy.action}`, JSON.stringify(policy));
  }
}

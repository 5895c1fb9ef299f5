import { KvMirror, type Logger, streamReplicas } from '@assent/platform';
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';
import type { PolicyRepository } from '../../domain/ports.js';
import { emptySchedule } from '../../domain/policy-rules.js';
import type { Policy } from '../../domain/types.js';

/** Policies stored before requirements and schedules existed had one approver set. */
type StoredPolicy = Omit<Policy, 'requirements' | 'schedule'> & Partial<Pick<Policy, 'requirements' | 'schedule'>> & { approvers?: string[]; quorum?: number };

function upgrade(p: StoredPolicy): Policy {
  const { approvers, quorum, ...rest } = p;
  return {
    ...rest,
    requirements: p.requirements ?? [{ name: 'approvers', approvers: approvers ?? [], quorum: quorum ?? 1 }],
    schedule: p.schedule ?? emptySchedule(),
  };
}

export async function openPolicyBucket(nc: NatsConnection, root: string): Promise<KV> {
  return new Kvm(nc).create(`${root.toUpperCase()}_approvals_policies`, { history: 10, replicas: streamReplicas() });
}

/**
 * Policies in JetStream KV, key `<tenant>.<action>`; history keeps earlier versions
 * for audit. Every CreateRequest reads one, so reads come from a watched in-memory
 * mirror (no round trip); a put waits until the local mirror has it.
 */
export class KvPolicyRepository implements PolicyRepository {
  private constructor(private readonly mirror: KvMirror<Policy>) {}

  static async open(kv: KV, logger: Logger): Promise<KvPolicyRepository> {
    return new KvPolicyRepository(await KvMirror.start(kv, (e) => upgrade(e.json<StoredPolicy>()), logger));
  }

  async get(tenant: string, action: string): Promise<Policy | undefined> {
    return this.mirror.get(`${tenant}.${action}`);
  }

  async put(tenant: string, policy: Policy): Promise<void> {
    await this.mirror.put(`${tenant}.${policy.action}`, JSON.stringify(policy));
  }

  /** False while the mirror is stale (its watch ended and it is reloading). */
  live(): boolean {
    return this.mirror.live();
  }

  stop(): Promise<void> {
    return this.mirror.stop();
  }
}

import { AlreadyExistsError, ConflictError, KvMirror, streamReplicas, type AssentEvent, type Logger, type StreamEntityStore, openKvBucket } from '@assent/platform';
import { type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';
import type { PolicyRepository } from '../../domain/ports.js';
import { emptySchedule } from '../../domain/policy-rules.js';
import type { Policy, PolicyRecord } from '../../domain/types.js';

export async function openPolicyBucket(nc: NatsConnection, root: string): Promise<KV> {
  return openKvBucket(nc, `${root.toUpperCase()}_approvals_policies`, { history: 10, replicas: streamReplicas() });
}

/** A policy version as stored (state stream) and served (read model). */
export type PolicyRecordJson = Omit<PolicyRecord, 'appliedAt'> & { appliedAt: string };

/** Fields a policy stored before they existed lacks. */
type Later = 'requirements' | 'schedule' | 'allowBreakGlass' | 'acknowledgements' | 'maxGrantDurationSeconds' | 'approverEditable' | 'parametersSchema' | 'rerequestCooldownSeconds' | 'maxRequestsPerDay' | 'extensionRequiresApproval' | 'requireStepUpToAct' | 'requireStepUpToApprove' | 'tiers';
/** Policies stored before requirements and schedules existed had one approver set. */
type LegacyPolicy = Omit<Policy, Later> & Partial<Pick<Policy, Later>> & { approvers?: string[]; quorum?: number };

function upgrade(p: LegacyPolicy): Policy {
  const { approvers, quorum, ...rest } = p;
  return {
    ...rest,
    requirements: p.requirements ?? [{ name: 'approvers', approvers: approvers ?? [], quorum: quorum ?? 1 }],
    schedule: p.schedule ?? emptySchedule(),
    allowBreakGlass: p.allowBreakGlass ?? false,
    acknowledgements: p.acknowledgements ?? [],
    maxGrantDurationSeconds: p.maxGrantDurationSeconds ?? 0,
    approverEditable: p.approverEditable ?? [],
    parametersSchema: p.parametersSchema,
    rerequestCooldownSeconds: p.rerequestCooldownSeconds ?? 0,
    maxRequestsPerDay: p.maxRequestsPerDay ?? 0,
    extensionRequiresApproval: p.extensionRequiresApproval ?? false,
    requireStepUpToAct: p.requireStepUpToAct ?? false,
    requireStepUpToApprove: p.requireStepUpToApprove ?? false,
    tiers: p.tiers ?? [],
  };
}

/** Reads a stored record, or a bare policy the read model held before versions existed (version 0). */
export function recordFromJson(v: PolicyRecordJson | LegacyPolicy): PolicyRecord {
  if ('policy' in v) return { ...v, policy: upgrade(v.policy), appliedAt: new Date(v.appliedAt) };
  return { policy: upgrade(v), version: 0, appliedBy: '', appliedAt: new Date(0) };
}

const toJson = (r: PolicyRecord): PolicyRecordJson => ({ ...r, appliedAt: r.appliedAt.toISOString() });
/** State subjects allow no "." inside a token; actions are dotted words, so ":" stands in (reversibly). */
const entityId = (action: string) => action.replaceAll('.', ':');

/**
 * Policy versions on the state stream (<root>.state.policy.<tenant>.<action>),
 * written with compare-and-set and their event in the same message; the outbox
 * relay's reaction puts each into effect in the KV read model, which every
 * CreateRequest reads from a watched in-memory mirror (no round trip).
 */
export class JetStreamPolicyRepository implements PolicyRepository {
  private constructor(
    private readonly store: StreamEntityStore<PolicyRecordJson>,
    private readonly kv: KV,
    private readonly mirror: KvMirror<PolicyRecord>,
  ) {}

  static async open(store: StreamEntityStore<PolicyRecordJson>, kv: KV, logger: Logger): Promise<JetStreamPolicyRepository> {
    await store.ensure();
    return new JetStreamPolicyRepository(store, kv, await KvMirror.start(kv, (e) => recordFromJson(e.json<PolicyRecordJson | LegacyPolicy>()), logger));
  }

  async get(tenant: string, action: string): Promise<Policy | undefined> {
    return this.mirror.get(`${tenant}.${action}`)?.policy;
  }

  async head(tenant: string, action: string) {
    const found = await this.store.get(tenant, entityId(action));
    return found && { record: recordFromJson(found.value), etag: found.revision };
  }

  async save(tenant: string, record: PolicyRecord, etag: number, events: AssentEvent[]): Promise<void> {
    const id = entityId(record.policy.action);
    if (etag !== 0) {
      await this.store.update(tenant, id, toJson(record), etag, events);
      return;
    }
    try {
      await this.store.create(tenant, id, toJson(record), events);
    } catch (err) {
      // Another apply stored the first version meanwhile: the caller re-reads and retries.
      if (err instanceof AlreadyExistsError) throw new ConflictError(err.message);
      throw err;
    }
  }

  async activate(tenant: string, record: PolicyRecord): Promise<void> {
    const key = `${tenant}.${record.policy.action}`;
    // The relay keeps each action's versions in order; this also holds after a redelivery.
    if ((this.mirror.get(key)?.version ?? 0) > record.version) return;
    await this.kv.put(key, JSON.stringify(toJson(record)));
  }

  waitActive(tenant: string, action: string, version: number, timeoutMs: number): Promise<boolean> {
    return this.mirror.waitUntil(`${tenant}.${action}`, (r) => (r?.version ?? 0) >= version, timeoutMs);
  }

  /** False while the mirror is stale (its watch ended and it is reloading). */
  live(): boolean {
    return this.mirror.live();
  }

  stop(): Promise<void> {
    return this.mirror.stop();
  }
}

import { MemoryTenantDirectory } from '@assent/platform/domain';
import { generateKeyPairSync } from 'node:crypto';
import { MemoryAuditLog } from '../../src/adapters/memory/audit-log.js';
import { MemoryCheckpointLog } from '../../src/adapters/memory/checkpoint-log.js';
import { KeyRing } from '../../src/domain/key-ring.js';
import type { CheckpointDeps } from '../../src/domain/ports.js';
import type { SourceEvent } from '../../src/domain/types.js';

/** A key ring with a fresh Ed25519 signing key. */
export const newKeyRing = (opts: Parameters<typeof KeyRing.create>[1] = {}): KeyRing => KeyRing.create(generateKeyPairSync('ed25519').privateKey, opts);

/** Memory twins with a fake clock that advances one second per reading; tenants acme, globex and initech exist. */
export function memoryDeps(keys: KeyRing = newKeyRing()): CheckpointDeps & { log: MemoryAuditLog; checkpoints: MemoryCheckpointLog; tenants: MemoryTenantDirectory } {
  let t = Date.UTC(2030, 0, 1);
  const log = new MemoryAuditLog();
  return {
    log,
    heads: { current: (tenant) => log.head(tenant) },
    checkpoints: new MemoryCheckpointLog(),
    keys,
    clock: { now: () => new Date((t += 1000)) },
    tenants: new MemoryTenantDirectory(['acme', 'globex', 'initech']),
  };
}

export const service = { subject: 'service:auditor', kind: 'service' as const, tenant: undefined, roles: [] };
export const userOf = (tenant: string, subject = 'alice') => ({ subject, kind: 'user' as const, tenant, roles: [] });

let n = 0;
export function sourceEvent(overrides: Partial<SourceEvent> = {}): SourceEvent {
  n++;
  return {
    id: `01JEVENT${String(n).padStart(18, '0')}`,
    type: 'assent.approval.requested.v1',
    source: '/assent/approvals',
    subject: `request/${n}`,
    tenant: 'acme',
    time: new Date('2030-01-01T00:00:00.000Z'),
    data: { request: { id: String(n), requester: 'alice' }, slackChannel: '#approvals' },
    ...overrides,
  };
}

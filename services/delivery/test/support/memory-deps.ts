import type { Principal } from '@assent/platform';
import { MemoryTenantDirectory } from '@assent/platform/domain';
import { cryptoIdSource } from '../../src/adapters/crypto/id-source.js';
import { MemoryAttemptLog } from '../../src/adapters/memory/attempt-log.js';
import { MemoryEndpointRepository } from '../../src/adapters/memory/endpoint-repository.js';
import { MemoryHostResolver } from '../../src/adapters/memory/host-resolver.js';
import { MemoryTaskQueue } from '../../src/adapters/memory/task-queue.js';
import { MemoryEventGateway, MemoryStreamCredentialRepository } from '../../src/adapters/memory/stream-credentials.js';
import { ScriptedWebhookSender } from '../../src/adapters/memory/webhook-sender.js';
import type { DeliveryDeps } from '../../src/domain/ports.js';

/** Unit-test wiring: every port's in-memory twin, a fixed clock and jitter-free retries. */
export function memoryDeps(overrides: Partial<DeliveryDeps> = {}) {
  const endpoints = new MemoryEndpointRepository();
  const tasks = new MemoryTaskQueue();
  const attempts = new MemoryAttemptLog();
  const sender = new ScriptedWebhookSender();
  const resolver = new MemoryHostResolver({
    localhost: ['127.0.0.1', '::1'],
    'hooks.example.com': ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946'],
    'internal.example.com': ['10.1.2.3'],
  });
  const clock = { now: () => new Date() };
  const credentials = new MemoryStreamCredentialRepository();
  const gateway = new MemoryEventGateway();
  const published: { type: string; tenant: string; subject: string; data: unknown }[] = [];
  const deps: DeliveryDeps = {
    endpoints,
    tasks,
    attempts,
    sender,
    resolver,
    clock,
    ids: cryptoIdSource,
    retry: { maxAttempts: 4, scheduleMs: [1_000, 60_000, 600_000], maxRetryAfterMs: 3_600_000, jitter: 0, timeoutMs: 5_000 },
    allowPrivateTargets: false,
    random: () => 0.5,
    tenants: new MemoryTenantDirectory(['acme', 'globex', 'initech']),
    credentials,
    gateway,
    events: { publish: async (e) => void published.push(e) },
    ...overrides,
  };
  return { deps, endpoints, tasks, attempts, sender, resolver, credentials, gateway, published };
}

export const admin = (tenant: string): Principal => ({ subject: 'alice', kind: 'user', tenant, roles: ['admin'] });
export const member = (tenant: string): Principal => ({ subject: 'bob', kind: 'user', tenant, roles: [] });
export const service: Principal = { subject: 'service:approvals', kind: 'service', tenant: undefined, roles: [] };

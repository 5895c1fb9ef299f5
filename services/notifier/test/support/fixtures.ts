import { randomInt } from 'node:crypto';
import { MemoryTenantDirectory } from '@assent/platform/domain';
import type { NotifierDeps } from '../../src/domain/ports.js';
import type { ApprovalRequestView, Notification } from '../../src/domain/types.js';
import { MemoryNotificationRepository } from '../../src/adapters/memory/notification-repository.js';
import { MemorySlackGateway } from '../../src/adapters/memory/slack-gateway.js';
import { MemorySlackChannelDirectory } from '../../src/adapters/memory/slack-channel-directory.js';
import type { MemorySlackUserDirectory } from '../../src/adapters/memory/slack-interaction.js';
import type { TenantSlackChannels } from '../../src/domain/slack/slack-routes.js';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A random, valid ULID (request ids are ULIDs). */
export function ulidLike(): string {
  return `01J${Array.from({ length: 23 }, () => CROCKFORD[randomInt(32)]).join('')}`;
}

export function requestView(overrides: Partial<ApprovalRequestView> = {}): ApprovalRequestView {
  return {
    id: ulidLike(),
    tenant: 'acme',
    action: 'payouts.change_details',
    resource: 'payout-account/42',
    requester: 'alice',
    justification: 'Vendor changed banks',
    policyId: 'payout-details-change',
    quorum: 2,
    approvers: ['user:bob', 'user:carol', 'group:finance#member'],
    votes: [],
    dueAt: undefined,
    requireStepUpToApprove: false,
    ...overrides,
  };
}

export function notification(overrides: Partial<Notification> = {}): Notification {
  return {
    id: ulidLike().toLowerCase(),
    tenant: 'acme',
    channel: 'SLACK',
    destination: '#approvals',
    requestId: ulidLike(),
    eventId: ulidLike(),
    eventType: 'assent.approval.requested.v1',
    providerRef: 'C0000000001:1700000000.000100',
    sentAt: new Date('2030-01-01T00:00:00Z'),
    ...overrides,
  };
}

/**
 * Notifier dependencies on in-memory twins, with a clock the test moves. Tenant acme is
 * the single-tenant install's tenant (any channel, `defaultSlackChannel`) unless
 * `tenantChannels` gives tenants records of their own.
 */
export function memoryDeps(
  opts: { channels?: string[]; defaultSlackChannel?: string; slack?: boolean; tenantChannels?: Record<string, TenantSlackChannels>; slackUsers?: MemorySlackUserDirectory } = {},
) {
  const slack = new MemorySlackGateway(opts.channels ?? ['approvals', 'payments-approvals']);
  const notifications = new MemoryNotificationRepository();
  let now = new Date('2030-01-01T00:00:00Z');
  const deps: NotifierDeps = {
    slack: opts.slack === false ? undefined : slack,
    notifications,
    clock: { now: () => now },
    slackInstall: { tenant: 'acme', defaultChannel: opts.defaultSlackChannel, channels: ['*'] },
    slackChannels: new MemorySlackChannelDirectory(opts.tenantChannels),
    slackUsers: opts.slackUsers,
    portalBaseUrl: 'https://assent.example.test',
    tenants: new MemoryTenantDirectory(['acme', 'globex']),
  };
  return { deps, slack, notifications, tick: (ms = 1000) => (now = new Date(now.getTime() + ms)) };
}

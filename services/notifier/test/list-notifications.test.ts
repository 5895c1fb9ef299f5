import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, PermissionDeniedError, type Principal } from '@assent/platform';
import { listNotifications } from '../src/domain/commands/list-notifications.js';
import { memoryDeps, notification, ulidLike } from './support/fixtures.js';

const user = (tenant: string): Principal => ({ subject: 'alice', kind: 'user', tenant, roles: [] });
const service: Principal = { subject: 'service:approvals', kind: 'service', tenant: undefined, roles: [] };

describe('list-notifications', () => {
  it('lists a tenant\'s notifications to its users and to services, optionally per request', async () => {
    const { deps, notifications } = memoryDeps();
    const requestId = ulidLike();
    const mine = notification({ requestId });
    await notifications.add(mine);
    await notifications.add(notification({ sentAt: new Date('2030-01-02T00:00:00Z') }));
    await notifications.add(notification({ tenant: 'globex', requestId }));

    expect(await listNotifications(deps, user('acme'), { tenant: 'acme', requestId, pageSize: 0 })).toEqual([mine]);
    expect(await listNotifications(deps, service, { tenant: 'acme', requestId: '', pageSize: 0 })).toHaveLength(2);
    expect(await listNotifications(deps, user('acme'), { tenant: 'acme', requestId: '', pageSize: 1 })).toHaveLength(1);
  });

  it('refuses another tenant\'s user and bad input', async () => {
    const { deps } = memoryDeps();
    await expect(listNotifications(deps, user('globex'), { tenant: 'acme', requestId: '', pageSize: 0 })).rejects.toBeInstanceOf(PermissionDeniedError);
    const err = await listNotifications(deps, service, { tenant: '', requestId: 'x', pageSize: 0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as InvalidArgumentError).violations.map((v) => v.field)).toEqual(['tenant', 'request_id']);
  });
});

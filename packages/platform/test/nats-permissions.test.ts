import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { natsAuthorizationConfig, natsServicePermissions, natsServiceUsers, type NatsServiceUser } from '@assent/platform';

describe('natsServicePermissions', () => {
  it('gives request state only to approvals, and the endpoints bucket only to delivery', () => {
    const owners = natsServiceUsers.filter((s) => natsServicePermissions('assent', s).publish.allow.includes('assent.state.request.>'));
    expect(owners).toEqual(['approvals']);
    for (const s of natsServiceUsers) {
      const allow = natsServicePermissions('assent', s).publish.allow;
      // The JetStream API stream by stream: never a wildcard over every stream, never delete or purge.
      expect(allow.filter((a) => a.startsWith('$JS.API.') && (a.endsWith('.>') || a.endsWith('.*')) && a.split('.').length <= 4)).toEqual([]);
      expect(allow.some((a) => /\$JS\.API\.(STREAM\.(DELETE|PURGE|MSG\.DELETE)|ACCOUNT)/.test(a))).toBe(false);
      expect(allow.includes('$JS.API.DIRECT.GET.KV_ASSENT_delivery_endpoints.>')).toBe(s === 'delivery');
      expect(allow.includes('$JS.API.CONSUMER.CREATE.ASSENT_STATE_REQUEST.>')).toBe(s === 'approvals');
      expect(allow.includes('$JS.API.DIRECT.GET.ASSENT_AUDIT.>')).toBe(s === 'audit');
      // On the shared events stream, only its own durables: no pulling (taking) another's events.
      expect(allow.includes('$JS.API.CONSUMER.MSG.NEXT.ASSENT_EVENTS.audit')).toBe(s === 'audit');
      expect(allow.some((a) => a.startsWith('$JS.API.CONSUMER.') && a.includes('.ASSENT_EVENTS.') && a.endsWith('.>') && a.split('.').length === 6)).toBe(false);
      expect(allow).toContain('$JS.API.STREAM.INFO.ASSENT_EVENTS');
    }
  });

  it('is what the Kubernetes dev overlay runs NATS with (regenerate deploy/k8s/overlays/dev/nats-auth.conf when this fails)', () => {
    const file = readFileSync(new URL('../../../deploy/k8s/overlays/dev/nats-auth.conf', import.meta.url), 'utf8');
    const passwords: Record<string, string> = {};
    for (const m of file.matchAll(/\{ user: "([a-z]+)", password: "([^"]+)"/g)) passwords[m[1] as string] = m[2] as string;
    expect(Object.keys(passwords).sort()).toEqual([...natsServiceUsers].sort());
    expect(file.split('\n').filter((l) => !l.startsWith('#')).join('\n')).toBe(natsAuthorizationConfig('assent', passwords as Record<NatsServiceUser, string>));
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { natsAuthorizationConfig, natsServicePermissions, natsServiceUsers, type NatsServiceUser } from '@assent/platform';

describe('natsServicePermissions', () => {
  it('gives request state only to approvals, and the endpoints bucket only to delivery', () => {
    const owners = natsServiceUsers.filter((s) => natsServicePermissions('assent', s).publish.allow.includes('assent.state.request.>'));
    expect(owners).toEqual(['approvals']);
    for (const s of natsServiceUsers) {
      const p = natsServicePermissions('assent', s);
      expect(p.publish.deny).toContain('$JS.API.STREAM.PURGE.>');
      expect(p.publish.deny.includes('$JS.API.DIRECT.GET.KV_ASSENT_delivery_endpoints.>')).toBe(s !== 'delivery');
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

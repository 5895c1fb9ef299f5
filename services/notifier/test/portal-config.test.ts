import { describe, expect, it } from 'vitest';
import { ConfigError } from '@assent/platform';
import { loadConfig } from '../src/config.js';

const base = { ASSENT_JWKS_URL: 'http://127.0.0.1:1/jwks.json', ASSENT_JWT_ISSUER: 'https://issuer.test' };
const problems = (env: Record<string, string>): string[] => {
  try {
    loadConfig({ ...base, ...env });
  } catch (err) {
    if (err instanceof ConfigError) return err.message.split('\n');
    throw err;
  }
  return [];
};

describe('notifier config: the approver portal', () => {
  it('is off (the placeholder page) without NOTIFIER_OIDC_ISSUER', () => {
    expect(loadConfig(base).portal).toBeUndefined();
  });

  it('discovers the issuer at its well-known address unless a discovery URL is given', () => {
    const c = loadConfig({ ...base, NOTIFIER_OIDC_ISSUER: 'https://idp.example.com/', NOTIFIER_OIDC_CLIENT_ID: 'portal' });
    expect(c.portal).toEqual({
      issuer: 'https://idp.example.com/',
      discoveryUrl: 'https://idp.example.com/.well-known/openid-configuration',
      clientId: 'portal',
      clientSecret: undefined,
      scopes: 'openid profile',
      sessionTtlSeconds: 8 * 3600,
    });
    const local = loadConfig({ ...base, NOTIFIER_OIDC_ISSUER: 'https://dev-issuer.assent.local', NOTIFIER_OIDC_DISCOVERY_URL: 'http://127.0.0.1:9120/.well-known/openid-configuration', NOTIFIER_OIDC_CLIENT_ID: 'portal' });
    expect(local.portal?.discoveryUrl).toBe('http://127.0.0.1:9120/.well-known/openid-configuration');
  });

  it('names each bad variable: no client id, plain http to another machine, no openid scope', () => {
    const out = problems({ NOTIFIER_OIDC_ISSUER: 'http://idp.example.com', NOTIFIER_OIDC_SCOPES: 'profile' }).join('\n');
    expect(out).toContain('NOTIFIER_OIDC_ISSUER');
    expect(out).toContain('https');
    expect(out).toContain('NOTIFIER_OIDC_CLIENT_ID');
    expect(out).toContain('NOTIFIER_OIDC_SCOPES');
  });
});

import { describe, expect, it } from 'vitest';
import { ConfigError } from '@assent/platform';
import { loadConfig } from '../src/config.js';

const base = { ASSENT_JWKS_URL: 'http://127.0.0.1:1/jwks.json', ASSENT_JWT_ISSUER: 'https://issuer.test' };

describe('notifier config', () => {
  it('defaults to the public Slack API with Slack off until a token is given', () => {
    const c = loadConfig(base);
    expect(c).toMatchObject({ grpcPort: 50055, httpPort: 9105, portalBaseUrl: 'http://127.0.0.1:9105' });
    expect(c.slack).toEqual({
      apiUrl: 'https://slack.com/api/',
      botToken: undefined,
      defaultChannel: undefined,
      signingSecret: undefined,
      tenant: undefined,
      channels: [],
      perChannel: { perSecond: 1, burst: 3 },
    });
    expect(Object.isFrozen(c.slack)).toBe(true);
  });

  it('normalises the API base and portal URL', () => {
    const c = loadConfig({
      ...base,
      NOTIFIER_SLACK_API_URL: 'http://127.0.0.1:8080/api',
      NOTIFIER_SLACK_BOT_TOKEN: 'xoxb-1',
      NOTIFIER_SLACK_DEFAULT_CHANNEL: '#approvals',
      NOTIFIER_SLACK_TENANT: 'acme',
      NOTIFIER_SLACK_CHANNELS: ' payments , C0123456789,',
      NOTIFIER_PORTAL_BASE_URL: 'https://assent.example.com/',
    });
    expect(c.slack).toMatchObject({ apiUrl: 'http://127.0.0.1:8080/api/', botToken: 'xoxb-1', defaultChannel: '#approvals', tenant: 'acme', channels: ['payments', 'C0123456789'] });
    expect(c.portalBaseUrl).toBe('https://assent.example.com');
  });

  it('gives deploy-time Slack channels to one named tenant only, and refuses them without it', () => {
    expect(() => loadConfig({ ...base, NOTIFIER_SLACK_DEFAULT_CHANNEL: '#approvals' })).toThrow(/NOTIFIER_SLACK_DEFAULT_CHANNEL: needs NOTIFIER_SLACK_TENANT/);
    expect(() => loadConfig({ ...base, NOTIFIER_SLACK_CHANNELS: '*' })).toThrow(/NOTIFIER_SLACK_CHANNELS: needs NOTIFIER_SLACK_TENANT/);
    expect(() => loadConfig({ ...base, NOTIFIER_SLACK_TENANT: 'Not A Tenant' })).toThrow(/NOTIFIER_SLACK_TENANT: must be a tenant id/);
    expect(() => loadConfig({ ...base, NOTIFIER_SLACK_CHANNEL_RATE: '0' })).toThrow(/NOTIFIER_SLACK_CHANNEL_RATE/);
  });

  it('serves Slack interactivity only with a signing secret, and refuses one without the bot token', () => {
    expect(loadConfig({ ...base, NOTIFIER_SLACK_BOT_TOKEN: 'xoxb-1', NOTIFIER_SLACK_SIGNING_SECRET: 'shh' }).slack.signingSecret).toBe('shh');
    expect(() => loadConfig({ ...base, NOTIFIER_SLACK_SIGNING_SECRET: 'shh' })).toThrow(/NOTIFIER_SLACK_SIGNING_SECRET: needs NOTIFIER_SLACK_BOT_TOKEN/);
  });

  it('names every bad variable', () => {
    const err = (() => {
      try {
        loadConfig({ ...base, NOTIFIER_SLACK_API_URL: 'not a url', NOTIFIER_GRPC_PORT: '99999' });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems.map((p) => p.variable).sort()).toEqual(['NOTIFIER_GRPC_PORT', 'NOTIFIER_SLACK_API_URL']);
  });

  it('turns email on with an SMTP host, and then requires a link secret of at least 32 bytes', () => {
    expect(loadConfig(base).email).toBeUndefined();
    const c = loadConfig({ ...base, NOTIFIER_SMTP_HOST: 'smtp.example.com', NOTIFIER_SMTP_USER: 'u', NOTIFIER_SMTP_PASS: 'p', NOTIFIER_EMAIL_LINK_SECRET: 'x'.repeat(32) });
    expect(c.email).toEqual({
      smtp: { host: 'smtp.example.com', port: 587, secure: false, user: 'u', pass: 'p' },
      from: 'Assent <assent@localhost>',
      linkSecret: 'x'.repeat(32),
      linkTtlSeconds: 259200,
    });
    for (const secret of [undefined, 'short']) {
      const err = (() => {
        try {
          loadConfig({ ...base, NOTIFIER_SMTP_HOST: 'smtp.example.com', ...(secret ? { NOTIFIER_EMAIL_LINK_SECRET: secret } : {}) });
        } catch (e) {
          return e;
        }
      })();
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).problems.map((p) => p.variable)).toEqual(['NOTIFIER_EMAIL_LINK_SECRET']);
    }
  });
});

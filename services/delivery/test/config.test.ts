import { describe, expect, it } from 'vitest';
import { ConfigError } from '@assent/platform';
import { loadConfig } from '../src/config.js';

const base = { ASSENT_JWKS_URL: 'http://127.0.0.1:1/jwks.json', ASSENT_JWT_ISSUER: 'https://issuer.test', DELIVERY_SECRET_KEYS_FILE: '/run/secrets/delivery/keys' };

describe('delivery config', () => {
  it('defaults to production-safe values', () => {
    const c = loadConfig(base);
    expect(c).toMatchObject({ grpcPort: 50054, httpPort: 9104, allowPrivateTargets: false, workerConcurrency: 16 });
    expect(c.retry).toMatchObject({ maxAttempts: 8, timeoutMs: 10_000, scheduleMs: [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000] });
  });

  it('reads overrides, including a millisecond retry schedule for tests', () => {
    const c = loadConfig({ ...base, DELIVERY_ALLOW_PRIVATE_TARGETS: 'true', DELIVERY_RETRY_SCHEDULE_MS: '50, 100', DELIVERY_MAX_ATTEMPTS: '3', DELIVERY_TIMEOUT_MS: '500' });
    expect(c.allowPrivateTargets).toBe(true);
    expect(c.retry).toMatchObject({ scheduleMs: [50, 100], maxAttempts: 3, timeoutMs: 500 });
  });

  it('names every bad variable', () => {
    let err: unknown;
    try {
      loadConfig({ ...base, DELIVERY_ALLOW_PRIVATE_TARGETS: 'yes', DELIVERY_RETRY_SCHEDULE_MS: '5s,1m', DELIVERY_MAX_ATTEMPTS: '0' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect([...new Set((err as ConfigError).problems.map((p) => p.variable))].sort()).toEqual(['DELIVERY_ALLOW_PRIVATE_TARGETS', 'DELIVERY_MAX_ATTEMPTS', 'DELIVERY_RETRY_SCHEDULE_MS']);
  });

  it('will not run without keys to seal webhook secrets with', () => {
    const { DELIVERY_SECRET_KEYS_FILE: _keys, ...withoutKeys } = base;
    expect(() => loadConfig(withoutKeys)).toThrow(/DELIVERY_SECRET_KEYS_FILE/);
  });

  it('offers stream credentials only with a gateway, and then needs its key files', () => {
    expect(loadConfig(base).eventGateway).toBeUndefined();
    expect(() => loadConfig({ ...base, DELIVERY_EVENT_GATEWAY_URL: 'nats://gw:4222' })).toThrow(/DELIVERY_EVENT_GATEWAY_SIGNING_KEY_FILE[\s\S]*DELIVERY_EVENT_GATEWAY_SYSTEM_CREDS_FILE/);
    const c = loadConfig({
      ...base,
      DELIVERY_EVENT_GATEWAY_URL: 'nats://gw:4222',
      DELIVERY_EVENT_GATEWAY_PUBLIC_URL: 'tls://events.example.com:4222',
      DELIVERY_EVENT_GATEWAY_SIGNING_KEY_FILE: '/k',
      DELIVERY_EVENT_GATEWAY_SYSTEM_CREDS_FILE: '/c',
    });
    expect(c.eventGateway).toMatchObject({ url: 'nats://gw:4222', publicUrl: 'tls://events.example.com:4222', limits: { diskBytes: 256 * 1024 * 1024 } });
  });
});

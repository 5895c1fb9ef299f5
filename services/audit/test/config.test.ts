import { describe, expect, it } from 'vitest';
import { ConfigError } from '@assent/platform';
import { loadConfig } from '../src/config.js';

const required = { ASSENT_JWKS_URL: 'http://127.0.0.1:9999/jwks.json', ASSENT_JWT_ISSUER: 'https://issuer.assent.test', AUDIT_SIGNING_KEY_FILE: '/var/run/secrets/audit/signing-key' };

const problemsOf = (source: Record<string, string>) => {
  try {
    loadConfig(source);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).problems.map((p) => p.variable).sort();
  }
  return [];
};

describe('loadConfig', () => {
  it('defaults the audit ports and checkpoint interval and shares the common settings', () => {
    const config = loadConfig(required);
    expect(config).toMatchObject({
      grpcPort: 50053,
      httpPort: 9103,
      subjectRoot: 'assent',
      otlpEndpoint: undefined,
      signingKeyFile: '/var/run/secrets/audit/signing-key',
      verifyKeysFile: undefined,
      checkpointIntervalMs: 60_000,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('names every bad variable at once', () => {
    expect(problemsOf({ ...required, AUDIT_GRPC_PORT: 'http', AUDIT_HTTP_PORT: '70000', AUDIT_CHECKPOINT_INTERVAL_MS: '0' })).toEqual(['AUDIT_CHECKPOINT_INTERVAL_MS', 'AUDIT_GRPC_PORT', 'AUDIT_HTTP_PORT']);
  });

  it('requires a signing key file: checkpoints are never silently off', () => {
    const { AUDIT_SIGNING_KEY_FILE: _, ...withoutKey } = required;
    expect(problemsOf(withoutKey)).toEqual(['AUDIT_SIGNING_KEY_FILE']);
  });
});

import { describe, expect, it } from 'vitest';
import { ConfigError } from '@assent/platform';
import { loadConfig } from '../src/config.js';

const required = { ASSENT_JWKS_URL: 'http://127.0.0.1:9999/jwks.json', ASSENT_JWT_ISSUER: 'https://issuer.assent.test' };

describe('loadConfig', () => {
  it('defaults the audit ports and shares the common settings', () => {
    const config = loadConfig(required);
    expect(config).toMatchObject({ grpcPort: 50053, httpPort: 9103, subjectRoot: 'assent', otlpEndpoint: undefined });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('names every bad variable at once', () => {
    const err = (() => {
      try {
        loadConfig({ ...required, AUDIT_GRPC_PORT: 'http', AUDIT_HTTP_PORT: '70000' });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems.map((p) => p.variable).sort()).toEqual(['AUDIT_GRPC_PORT', 'AUDIT_HTTP_PORT']);
  });
});

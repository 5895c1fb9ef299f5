import { describe, expect, it } from 'vitest';
import { ConfigError, commonConfig, commonEnvSpec, env, parseEnv } from '@assent/platform';

const spec = { ...commonEnvSpec, SVC_GRPC_PORT: env.port(50051), SVC_FLAG: env.bool(false), SVC_LIST: env.list(['a']) };
const valid = { ASSENT_JWKS_URL: 'http://127.0.0.1:9100/jwks.json', ASSENT_JWT_ISSUER: 'https://issuer' };

describe('parseEnv', () => {
  it('applies defaults and types values', () => {
    const e = parseEnv(spec, { ...valid, SVC_GRPC_PORT: '7000', SVC_FLAG: 'true', SVC_LIST: 'x, y,' });
    expect(e.SVC_GRPC_PORT).toBe(7000);
    expect(e.SVC_FLAG).toBe(true);
    expect(e.SVC_LIST).toEqual(['x', 'y']);
    const c = commonConfig(e);
    expect(c).toMatchObject({ natsUrl: 'nats://127.0.0.1:4222', subjectRoot: 'assent', logLevel: 'info', auth: { audience: 'assent' } });
  });

  it('names every bad or missing variable at once', () => {
    const err = (() => {
      try {
        parseEnv(spec, { ASSENT_JWKS_URL: 'not a url', SVC_GRPC_PORT: '70000', SVC_FLAG: 'yes', ASSENT_SUBJECT_ROOT: 'Bad Root' });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    const problems = Object.fromEntries((err as ConfigError).problems.map((p) => [p.variable, p.message]));
    expect(Object.keys(problems).sort()).toEqual(['ASSENT_JWKS_URL', 'ASSENT_JWT_ISSUER', 'ASSENT_SUBJECT_ROOT', 'SVC_FLAG', 'SVC_GRPC_PORT']);
    expect(problems['ASSENT_JWT_ISSUER']).toBe('is required');
    expect(problems['SVC_FLAG']).toBe('must be true or false');
    expect((err as Error).message).toContain('SVC_GRPC_PORT');
  });

  it('reads the gRPC connection age (0, never, by default) and refuses a negative one', () => {
    expect(commonConfig(parseEnv(commonEnvSpec, valid)).grpcMaxConnectionAgeMs).toBe(0);
    expect(commonConfig(parseEnv(commonEnvSpec, { ...valid, ASSENT_GRPC_MAX_CONNECTION_AGE_MS: '300000' })).grpcMaxConnectionAgeMs).toBe(300_000);
    expect(() => parseEnv(commonEnvSpec, { ...valid, ASSENT_GRPC_MAX_CONNECTION_AGE_MS: '-1' })).toThrow(/ASSENT_GRPC_MAX_CONNECTION_AGE_MS/);
  });

  it('lets the notifier act for people by default (its subject among the services), and only services', () => {
    expect(commonConfig(parseEnv(commonEnvSpec, valid)).auth.channelServices).toEqual(['service:notifier']);
    const cluster = { ...valid, ASSENT_SERVICE_SUBJECTS: 'system:serviceaccount:assent:approvals,system:serviceaccount:assent:notifier' };
    expect(commonConfig(parseEnv(commonEnvSpec, cluster)).auth.channelServices).toEqual(['system:serviceaccount:assent:notifier']);
    expect(() => commonConfig(parseEnv(commonEnvSpec, { ...valid, ASSENT_CHANNEL_SERVICES: 'alice' }))).toThrow(/ASSENT_CHANNEL_SERVICES: alice not in ASSENT_SERVICE_SUBJECTS/);
  });

  it('binds every interface by default, or the one given', () => {
    expect(commonConfig(parseEnv(commonEnvSpec, valid)).bindHost).toBe('0.0.0.0');
    expect(commonConfig(parseEnv(commonEnvSpec, { ...valid, ASSENT_BIND_HOST: '127.0.0.1' })).bindHost).toBe('127.0.0.1');
  });

  it('treats empty strings as unset', () => {
    expect(parseEnv(spec, { ...valid, SVC_GRPC_PORT: '  ' }).SVC_GRPC_PORT).toBe(50051);
  });
});

describe('trusted issuers and service subjects', () => {
  it('parses extra issuers and the service list, and rejects malformed pairs', () => {
    const e = parseEnv(commonEnvSpec, { ...valid, ASSENT_EXTRA_ISSUERS: 'https://idp=https://idp/jwks; https://b=https://b/keys', ASSENT_SERVICE_SUBJECTS: 'system:serviceaccount:assent:approvals' });
    const c = commonConfig(e);
    expect(c.auth.issuers.map((i) => i.issuer)).toEqual(['https://issuer', 'https://idp', 'https://b']);
    expect(c.auth.serviceSubjects).toEqual(['system:serviceaccount:assent:approvals']);
    expect(commonConfig(parseEnv(commonEnvSpec, valid)).auth.serviceSubjects).toContain('service:approvals');
    expect(() => parseEnv(commonEnvSpec, { ...valid, ASSENT_EXTRA_ISSUERS: 'no-jwks-here' })).toThrow(/ASSENT_EXTRA_ISSUERS/);
  });

  it('says what each issuer may assert: everything for the primary by default, people of any tenant for extra ones', () => {
    const c = commonConfig(
      parseEnv(commonEnvSpec, { ...valid, ASSENT_EXTRA_ISSUERS: 'https://idp.example.com=https://idp/jwks; https://b=https://b/keys tenants=acme|globex,platform-admin,prefix=corp; https://c=https://c/keys prefix=none' }),
    );
    // Extra issuers' subjects are namespaced by their host unless their rights say otherwise.
    expect(c.auth.issuers.map((i) => i.rights)).toEqual([
      { services: true, platformAdmin: true, tenants: '*' },
      { services: false, platformAdmin: false, tenants: '*', prefix: 'idp.example.com' },
      { services: false, platformAdmin: true, tenants: ['acme', 'globex'], prefix: 'corp' },
      { services: false, platformAdmin: false, tenants: [], prefix: undefined },
    ]);
    expect(commonConfig(parseEnv(commonEnvSpec, { ...valid, ASSENT_JWT_ISSUER_RIGHTS: 'services' })).auth.issuers[0]?.rights).toEqual({ services: true, platformAdmin: false, tenants: [] });
    expect(() => parseEnv(commonEnvSpec, { ...valid, ASSENT_JWT_ISSUER_RIGHTS: 'everything' })).toThrow(/unknown issuer right "everything"/);
    expect(() => parseEnv(commonEnvSpec, { ...valid, ASSENT_EXTRA_ISSUERS: 'https://b=https://b/keys root' })).toThrow(/ASSENT_EXTRA_ISSUERS/);
  });

  it('reads TLS files for NATS and Redis, and wants rediss:// with Redis TLS', () => {
    const c = commonConfig(parseEnv(commonEnvSpec, { ...valid, ASSENT_NATS_TLS_CA_FILE: '/ca.pem', ASSENT_REDIS_URL: 'rediss://redis:6380', ASSENT_REDIS_TLS_CA_FILE: '/ca.pem' }));
    expect(c.natsTls).toEqual({ caFile: '/ca.pem', certFile: undefined, keyFile: undefined });
    expect(c.redisTls.caFile).toBe('/ca.pem');
    expect(() => commonConfig(parseEnv(commonEnvSpec, { ...valid, ASSENT_REDIS_TLS_CA_FILE: '/ca.pem' }))).toThrow(/ASSENT_REDIS_URL: must be rediss:\/\//);
  });
});

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as jose from 'jose';
import { createServer } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDevIssuerKey, createJwtVerifier, mintToken, publicJwks, serveJwks, UnauthenticatedError, type DevIssuerKey } from '@assent/platform';
import { parseIssuerRights } from '../src/auth/jwt-verifier.js';

// Spy on signature verification to see which calls the cache answers (vi.mock is hoisted).
vi.mock('jose', async (importOriginal) => {
  const actual = await importOriginal<typeof jose>();
  return { ...actual, jwtVerify: vi.fn(actual.jwtVerify) };
});

let cluster: DevIssuerKey;
let idp: DevIssuerKey;
let rogue: DevIssuerKey;
const servers: { close(): Promise<void> }[] = [];
let verifier: ReturnType<typeof createJwtVerifier>;
let idpJwksUrl: string;
let clusterJwksUrl: string;

beforeAll(async () => {
  [cluster, idp, rogue] = await Promise.all([createDevIssuerKey('https://cluster'), createDevIssuerKey('https://idp'), createDevIssuerKey('https://rogue')]);
  const [c, i] = await Promise.all([serveJwks(cluster, 0), serveJwks(idp, 0)]);
  servers.push(c, i);
  idpJwksUrl = i.url;
  clusterJwksUrl = c.url;
  verifier = createJwtVerifier({
    issuers: [
      { issuer: 'https://cluster', jwksUrl: c.url },
      { issuer: 'https://idp', jwksUrl: i.url },
    ],
    audience: 'assent',
    serviceSubjects: ['system:serviceaccount:assent:approvals'],
  });
});
afterAll(async () => Promise.all(servers.map((s) => s.close())));

describe('createJwtVerifier', () => {
  it('accepts tokens of every trusted issuer, each checked against its own keys', async () => {
    const svc = await verifier.verify(await mintToken(cluster, { subject: 'system:serviceaccount:assent:approvals' }));
    expect(svc).toMatchObject({ kind: 'service', tenant: undefined });
    const user = await verifier.verify(await mintToken(idp, { subject: 'alice', tenant: 'acme', roles: ['admin'] }));
    expect(user).toEqual({ subject: 'alice', kind: 'user', tenant: 'acme', roles: ['admin'] });
  });

  it('refuses a workload that is not on the service list: its subject names a namespace that is not its issuer\'s', async () => {
    await expect(verifier.verify(await mintToken(cluster, { subject: 'system:serviceaccount:default:anything' }))).rejects.toThrow(/names a namespace/);
  });

  it('namespaces subjects by issuer: two issuers\' "alice" are two principals, and none can claim the other\'s', async () => {
    const namespaced = createJwtVerifier({
      issuers: [
        { issuer: 'https://cluster', jwksUrl: clusterJwksUrl, rights: { services: true, platformAdmin: true, tenants: '*' } },
        { issuer: 'https://idp', jwksUrl: idpJwksUrl, rights: parseIssuerRights('tenants=acme,prefix=okta') },
      ],
      audience: 'assent',
      serviceSubjects: ['system:serviceaccount:assent:approvals'],
    });
    await expect(namespaced.verify(await mintToken(idp, { subject: 'alice', tenant: 'acme' }))).resolves.toMatchObject({ subject: 'okta:alice', kind: 'user' });
    await expect(namespaced.verify(await mintToken(cluster, { subject: 'alice', tenant: 'acme' }))).resolves.toMatchObject({ subject: 'alice' });
    // The unprefixed issuer cannot name itself into okta's namespace, nor okta nest one.
    await expect(namespaced.verify(await mintToken(cluster, { subject: 'okta:alice', tenant: 'acme' }))).rejects.toThrow(/names a namespace/);
    await expect(namespaced.verify(await mintToken(idp, { subject: 'x:alice', tenant: 'acme' }))).rejects.toThrow(/not a user id/);
    expect(() => parseIssuerRights('prefix=Bad_NS')).toThrow(/prefix/);
  });

  it('rejects untrusted issuers, foreign keys, wrong audiences, expired tokens and garbage', async () => {
    await expect(verifier.verify(await mintToken(rogue, { subject: 'alice' }))).rejects.toThrow(/issuer not trusted/);
    // Claims to be the IdP but is signed with another key.
    const forged = await mintToken({ ...rogue, issuer: 'https://idp' }, { subject: 'alice', tenant: 'acme' });
    await expect(verifier.verify(forged)).rejects.toBeInstanceOf(UnauthenticatedError);
    await expect(verifier.verify(await mintToken({ ...idp, audience: 'other' }, { subject: 'alice' }))).rejects.toThrow(/invalid token/);
    await expect(verifier.verify(await mintToken(idp, { subject: 'alice', ttlSeconds: -60 }))).rejects.toThrow(/expired/);
    await expect(verifier.verify('not-a-jwt')).rejects.toThrow(/not a JWT/);
  });
});

describe('a JWKS that wants a bearer token (the Kubernetes API server)', () => {
  it('presents the token file on each fetch, re-read after the kubelet rotates it', async () => {
    let expected = 'token-1';
    const server = createServer((req, res) => {
      if (req.headers.authorization !== `Bearer ${expected}`) return void res.writeHead(401).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(publicJwks(cluster)));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/openid/v1/jwks`;
    const dir = await mkdtemp(join(tmpdir(), 'assent-jwks-token-'));
    const tokenFile = join(dir, 'token');
    try {
      await writeFile(tokenFile, 'token-1\n');
      const token = await mintToken(cluster, { subject: 'system:serviceaccount:assent:approvals' });
      const make = (file?: string) =>
        createJwtVerifier({ issuers: [{ issuer: 'https://cluster', jwksUrl, jwksTokenFile: file }], audience: 'assent', serviceSubjects: ['system:serviceaccount:assent:approvals'], cacheSize: 0 });
      await expect(make(tokenFile).verify(token)).resolves.toMatchObject({ subject: 'system:serviceaccount:assent:approvals' });
      expected = 'token-2';
      await writeFile(tokenFile, 'token-2\n');
      await expect(make(tokenFile).verify(token)).resolves.toMatchObject({ subject: 'system:serviceaccount:assent:approvals' });
      await expect(make().verify(token)).rejects.toBeDefined();
    } finally {
      server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('what each issuer may assert', () => {
  const limited = () =>
    createJwtVerifier({
      issuers: [
        { issuer: 'https://cluster', jwksUrl: clusterJwksUrl, rights: { services: true, platformAdmin: false, tenants: [] } },
        { issuer: 'https://idp', jwksUrl: idpJwksUrl, rights: { services: false, platformAdmin: false, tenants: ['acme'] } },
      ],
      audience: 'assent',
      serviceSubjects: ['service:approvals'],
    });

  it('refuses a tenant or platform-admin an issuer may not assert, and a service identity from an issuer that may not vouch for one', async () => {
    const v = limited();
    await expect(v.verify(await mintToken(idp, { subject: 'alice', tenant: 'acme' }))).resolves.toMatchObject({ kind: 'user', tenant: 'acme' });
    await expect(v.verify(await mintToken(idp, { subject: 'alice', tenant: 'globex' }))).rejects.toThrow(/may not assert tenant "globex"/);
    await expect(v.verify(await mintToken(idp, { subject: 'root', roles: ['platform-admin'] }))).rejects.toThrow(/may not assert platform-admin/);
    await expect(v.verify(await mintToken(cluster, { subject: 'someone', tenant: 'acme' }))).rejects.toThrow(/may not assert tenant "acme"/);
    // The IdP minting a token for a service's subject gets a tenant-less user, not a service.
    await expect(v.verify(await mintToken(idp, { subject: 'service:approvals' }))).resolves.toMatchObject({ kind: 'user' });
    await expect(v.verify(await mintToken(cluster, { subject: 'service:approvals' }))).resolves.toMatchObject({ kind: 'service' });
  });
});

describe('pinned algorithms and required claims', () => {
  const sign = async (alg: string, key: Awaited<ReturnType<typeof jose.importJWK>>, kid: string, claims: jose.JWTPayload) =>
    new jose.SignJWT(claims).setProtectedHeader({ alg, kid }).setIssuer('https://idp').setAudience('assent').setSubject('alice').setIssuedAt().sign(key);

  it('refuses a token without exp, even one properly signed', async () => {
    const key = await jose.importJWK(idp.privateJwk, 'ES256');
    const forever = await sign('ES256', key, idp.privateJwk.kid ?? 'dev', { tenant: 'acme' });
    await expect(verifier.verify(forever)).rejects.toThrow(/invalid token/);
    const expiring = await sign('ES256', key, idp.privateJwk.kid ?? 'dev', { tenant: 'acme', exp: Math.floor(Date.now() / 1000) + 60 });
    await expect(verifier.verify(expiring)).resolves.toMatchObject({ subject: 'alice' });
  });

  it('refuses algorithms it was not told to accept, and will not be told to accept none or HMAC', async () => {
    const onlyRs = createJwtVerifier({ issuers: [{ issuer: 'https://idp', jwksUrl: idpJwksUrl }], audience: 'assent', serviceSubjects: [], algorithms: ['RS256'] });
    await expect(onlyRs.verify(await mintToken(idp, { subject: 'alice' }))).rejects.toThrow(/invalid token: ERR_JOSE_ALG_NOT_ALLOWED/);
    const secret = new TextEncoder().encode('a shared secret an attacker could guess');
    const hmac = await sign('HS256', secret, idp.privateJwk.kid ?? 'dev', { exp: Math.floor(Date.now() / 1000) + 60 });
    await expect(verifier.verify(hmac)).rejects.toBeInstanceOf(UnauthenticatedError);
    for (const algorithms of [['none'], ['ES256', 'HS256']]) {
      expect(() => createJwtVerifier({ issuers: [], audience: 'assent', serviceSubjects: [], algorithms })).toThrow(/not accepted/);
    }
  });
});

describe('verified-token cache', () => {
  const jwtVerify = vi.mocked(jose.jwtVerify);

  it('verifies a token once and answers repeats from the cache until exp', async () => {
    const clock = { t: Date.now() };
    const cached = createJwtVerifier({ issuers: [{ issuer: 'https://idp', jwksUrl: idpJwksUrl }], audience: 'assent', serviceSubjects: [], now: () => clock.t });
    const token = await mintToken(idp, { subject: 'alice', tenant: 'acme', ttlSeconds: 60 });
    jwtVerify.mockClear();
    const first = await cached.verify(token);
    const second = await cached.verify(token);
    expect(second).toEqual(first);
    expect(jwtVerify).toHaveBeenCalledTimes(1);
    expect(Object.isFrozen(second) && Object.isFrozen(second.roles)).toBe(true);

    // At exp the cached entry is gone and verification (past the 5 s tolerance) refuses the token.
    clock.t += 66_000;
    await expect(cached.verify(token)).rejects.toThrow(/expired/);
    expect(jwtVerify).toHaveBeenCalledTimes(2);
  });

  it('does not cache failures', async () => {
    const token = await mintToken({ ...idp, audience: 'other' }, { subject: 'alice' });
    jwtVerify.mockClear();
    await expect(verifier.verify(token)).rejects.toThrow(/invalid token/);
    await expect(verifier.verify(token)).rejects.toThrow(/invalid token/);
    expect(jwtVerify).toHaveBeenCalledTimes(2);
  });

  it('can be turned off', async () => {
    const uncached = createJwtVerifier({ issuers: [{ issuer: 'https://idp', jwksUrl: idpJwksUrl }], audience: 'assent', serviceSubjects: [], cacheSize: 0 });
    const token = await mintToken(idp, { subject: 'alice' });
    jwtVerify.mockClear();
    await uncached.verify(token);
    await uncached.verify(token);
    expect(jwtVerify).toHaveBeenCalledTimes(2);
  });
});

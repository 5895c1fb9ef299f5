import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDevIssuerKey, createJwtVerifier, mintToken, serveJwks, UnauthenticatedError, type DevIssuerKey } from '@assent/platform';

let cluster: DevIssuerKey;
let idp: DevIssuerKey;
let rogue: DevIssuerKey;
const servers: { close(): Promise<void> }[] = [];
let verifier: ReturnType<typeof createJwtVerifier>;

beforeAll(async () => {
  [cluster, idp, rogue] = await Promise.all([createDevIssuerKey('https://cluster'), createDevIssuerKey('https://idp'), createDevIssuerKey('https://rogue')]);
  const [c, i] = await Promise.all([serveJwks(cluster, 0), serveJwks(idp, 0)]);
  servers.push(c, i);
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

  it('treats a workload that is not on the service list as a tenant-less user', async () => {
    const other = await verifier.verify(await mintToken(cluster, { subject: 'system:serviceaccount:default:anything' }));
    expect(other).toMatchObject({ kind: 'user', tenant: undefined });
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

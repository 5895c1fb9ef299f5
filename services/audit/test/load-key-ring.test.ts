import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadKeyRing } from '../src/adapters/keys/load-key-ring.js';
import { jwkThumbprint } from '../src/domain/key-ring.js';

const dir = mkdtempSync(join(tmpdir(), 'audit-keys-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, content: string) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

describe('loadKeyRing', () => {
  it('reads a PKCS#8 PEM signing key; its id is the RFC 7638 thumbprint', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const ring = loadKeyRing(file('key.pem', privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()), undefined);
    const x = publicKey.export({ format: 'jwk' }).x as string;
    expect(ring.keyId).toBe(jwkThumbprint({ kty: 'OKP', crv: 'Ed25519', x }));
    expect(ring.list()).toEqual([{ keyId: ring.keyId, jwk: { kty: 'OKP', crv: 'Ed25519', x, kid: ring.keyId }, validFrom: undefined, validUntil: undefined, current: true }]);
  });

  it('reads a JWK signing key with its kid, and earlier public keys with their validity', () => {
    const current = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' });
    const old = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' });
    const ring = loadKeyRing(
      file('key.jwk', JSON.stringify({ ...current, kid: 'audit-2030' })),
      file('verify.json', JSON.stringify({ keys: [{ ...old, kid: 'audit-2029', from: '2029-01-01T00:00:00Z', until: '2030-01-01T00:00:00Z' }] })),
    );
    expect(ring.keyId).toBe('audit-2030');
    expect(ring.list().map((k) => [k.keyId, k.current, k.validFrom?.toISOString(), k.validUntil?.toISOString()])).toEqual([
      ['audit-2030', true, undefined, undefined],
      ['audit-2029', false, '2029-01-01T00:00:00.000Z', '2030-01-01T00:00:00.000Z'],
    ]);
  });

  it('fails naming the file when a key is not usable', () => {
    const pub = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' });
    expect(() => loadKeyRing(file('public.jwk', JSON.stringify(pub)), undefined)).toThrow(/public\.jwk: the JWK has no private part/);
    expect(() => loadKeyRing(file('garbage.pem', 'not a key'), undefined)).toThrow(/garbage\.pem/);
    expect(() => loadKeyRing(join(dir, 'missing'), undefined)).toThrow(/ENOENT/);
    const ok = file('ok.pem', generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString());
    expect(() => loadKeyRing(ok, file('set.json', JSON.stringify([pub])))).toThrow(/expected a JWK Set/);
    expect(() => loadKeyRing(ok, file('rsa.json', JSON.stringify({ keys: [{ kty: 'RSA', n: 'x', e: 'AQAB' }] })))).toThrow(/keys\[0\] is not an Ed25519 public JWK/);
    expect(() => loadKeyRing(ok, file('date.json', JSON.stringify({ keys: [{ ...pub, until: 'soon' }] })))).toThrow(/keys\[0\]\.until "soon"/);
  });
});

import { readFileSync } from 'node:fs';
import { isEd25519Jwk, jwkThumbprint, type PublicSigningKey } from '@assent/platform';
import { UsageError } from '../errors/usage-error.js';

interface KeyJson {
  keyId?: string;
  publicJwk?: string;
  validFrom?: string;
  validUntil?: string;
  current?: boolean;
  kty?: string;
  crv?: string;
  x?: string;
  kid?: string;
}

const time = (s: string | undefined): Date | undefined => (s ? new Date(s) : undefined);

/**
 * The published checkpoint keys an auditor verifies with: what `assentctl -o json audit
 * keys` printed ({"keys":[{keyId, publicJwk, validFrom, validUntil}]}), or a JWK Set of
 * Ed25519 keys (a key's id is its "kid", else its RFC 7638 thumbprint, as the service names it).
 */
export function readKeysFile(path: string): PublicSigningKey[] {
  let body: { keys?: KeyJson[] };
  try {
    body = JSON.parse(readFileSync(path, 'utf8')) as { keys?: KeyJson[] };
  } catch (err) {
    throw new UsageError(`--keys ${path}: ${(err as Error).message}`);
  }
  if (!Array.isArray(body?.keys)) throw new UsageError(`--keys ${path}: expected {"keys": [...]} as \`assentctl -o json audit keys\` prints it`);
  return body.keys.map((k, i) => {
    const jwk: unknown = k.publicJwk !== undefined ? JSON.parse(k.publicJwk) : { kty: k.kty, crv: k.crv, x: k.x };
    if (!isEd25519Jwk(jwk)) throw new UsageError(`--keys ${path}: key ${i + 1} is not an Ed25519 public JWK`);
    const keyId = k.keyId ?? k.kid ?? jwkThumbprint(jwk);
    return { keyId, jwk: { ...jwk, kid: keyId }, validFrom: time(k.validFrom), validUntil: time(k.validUntil), current: k.current === true };
  });
}

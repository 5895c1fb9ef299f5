import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { canonicalJson } from '@assent/platform/domain';

/** An Ed25519 public key as a JWK (RFC 8037). */
export interface Ed25519Jwk {
  kty: 'OKP';
  crv: 'Ed25519';
  x: string;
  kid?: string;
}

/** A key checkpoints are verified with, as ListSigningKeys publishes it. */
export interface PublicSigningKey {
  keyId: string;
  jwk: Ed25519Jwk;
  /** When the key started signing; undefined when not recorded. */
  validFrom: Date | undefined;
  /** When it stopped; a checkpoint claiming a later time is refused. Undefined: still valid. */
  validUntil: Date | undefined;
  /** The key that signs new checkpoints. */
  current: boolean;
}

/** A previous key, kept so the checkpoints it signed still verify. */
export interface RetiredKey {
  jwk: Ed25519Jwk;
  validFrom?: Date | undefined;
  validUntil?: Date | undefined;
}

export type SignatureCheck = 'valid' | 'unknown key' | 'bad signature' | 'key expired' | 'key not yet valid';

/** RFC 7638 thumbprint of an Ed25519 key (sha256 of its required members, base64url). */
export function jwkThumbprint(jwk: Ed25519Jwk): string {
  return createHash('sha256').update(canonicalJson({ crv: jwk.crv, kty: jwk.kty, x: jwk.x })).digest('base64url');
}

function publicJwk(key: KeyObject): Ed25519Jwk {
  const jwk = key.export({ format: 'jwk' });
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') throw new Error('the audit signing key must be an Ed25519 key');
  return { kty: 'OKP', crv: 'Ed25519', x: jwk.x };
}

interface Entry {
  info: PublicSigningKey;
  key: KeyObject;
}

/**
 * The audit service's checkpoint keys: one private Ed25519 key that signs, and the
 * public keys (that one and the retired ones) checkpoints are verified with. A key id
 * is the JWK's "kid" when it has one, else its RFC 7638 thumbprint, so the same key
 * keeps the same id wherever it is published.
 */
export class KeyRing {
  private constructor(
    private readonly signingKey: KeyObject,
    readonly keyId: string,
    private readonly entries: Map<string, Entry>,
  ) {}

  static create(signingKey: KeyObject, opts: { keyId?: string | undefined; validFrom?: Date | undefined; retired?: readonly RetiredKey[] } = {}): KeyRing {
    if (signingKey.type !== 'private' || signingKey.asymmetricKeyType !== 'ed25519') throw new Error('the audit signing key must be an Ed25519 private key');
    const jwk = publicJwk(createPublicKey(signingKey));
    const keyId = opts.keyId ?? jwkThumbprint(jwk);
    const entries = new Map<string, Entry>();
    for (const old of opts.retired ?? []) {
      if (old.jwk.kty !== 'OKP' || old.jwk.crv !== 'Ed25519' || typeof old.jwk.x !== 'string') throw new Error('a verification key must be an Ed25519 public JWK');
      const id = old.jwk.kid ?? jwkThumbprint(old.jwk);
      const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: old.jwk.x }, format: 'jwk' });
      entries.set(id, { key, info: { keyId: id, jwk: { ...publicJwk(key), kid: id }, validFrom: old.validFrom, validUntil: old.validUntil, current: false } });
    }
    // The signing key is current even if an old copy of it is also listed as retired.
    entries.set(keyId, { key: createPublicKey(signingKey), info: { keyId, jwk: { ...jwk, kid: keyId }, validFrom: opts.validFrom, validUntil: undefined, current: true } });
    return new KeyRing(signingKey, keyId, entries);
  }

  /** base64url Ed25519 signature of `data` with the current key. */
  sign(data: Uint8Array): string {
    return sign(null, data, this.signingKey).toString('base64url');
  }

  /** Whether `signature` is `keyId`'s over `data`, by a key that was valid at `at`. */
  verify(keyId: string, data: Uint8Array, signature: string, at: Date): SignatureCheck {
    const entry = this.entries.get(keyId);
    if (!entry) return 'unknown key';
    if (!verify(null, data, entry.key, Buffer.from(signature, 'base64url'))) return 'bad signature';
    if (entry.info.validUntil && at > entry.info.validUntil) return 'key expired';
    if (entry.info.validFrom && at < entry.info.validFrom) return 'key not yet valid';
    return 'valid';
  }

  /** Every public key, the current one first. */
  list(): PublicSigningKey[] {
    return [...this.entries.values()].map((e) => e.info).sort((a, b) => Number(b.current) - Number(a.current));
  }
}

import { createPublicKey, sign, type KeyObject } from 'node:crypto';
import { VerificationKeys, isEd25519Jwk, jwkThumbprint, type Ed25519Jwk, type PublicSigningKey, type SignatureCheck } from '@assent/platform/domain';

export type { Ed25519Jwk, PublicSigningKey, SignatureCheck };
export { jwkThumbprint };

/** A previous key, kept so the checkpoints it signed still verify. */
export interface RetiredKey {
  jwk: Ed25519Jwk;
  validFrom?: Date | undefined;
  validUntil?: Date | undefined;
}

function publicJwk(key: KeyObject): Ed25519Jwk {
  const jwk = key.export({ format: 'jwk' });
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') throw new Error('the audit signing key must be an Ed25519 key');
  return { kty: 'OKP', crv: 'Ed25519', x: jwk.x };
}

/**
 * The audit service's checkpoint keys: one private Ed25519 key that signs, and the
 * public keys (that one and the retired ones) checkpoints are verified with. A key id
 * is the JWK's "kid" when it has one, else its RFC 7638 thumbprint, so the same key
 * keeps the same id wherever it is published. Verification is VerificationKeys
 * (@assent/platform), the same code `assentctl audit verify` runs offline.
 */
export class KeyRing {
  private constructor(
    private readonly signingKey: KeyObject,
    readonly keyId: string,
    private readonly verifier: VerificationKeys,
  ) {}

  static create(signingKey: KeyObject, opts: { keyId?: string | undefined; validFrom?: Date | undefined; retired?: readonly RetiredKey[] } = {}): KeyRing {
    if (signingKey.type !== 'private' || signingKey.asymmetricKeyType !== 'ed25519') throw new Error('the audit signing key must be an Ed25519 private key');
    const jwk = publicJwk(createPublicKey(signingKey));
    const keyId = opts.keyId ?? jwkThumbprint(jwk);
    const entries = new Map<string, PublicSigningKey>();
    for (const old of opts.retired ?? []) {
      if (!isEd25519Jwk(old.jwk)) throw new Error('a verification key must be an Ed25519 public JWK');
      const id = old.jwk.kid ?? jwkThumbprint(old.jwk);
      entries.set(id, { keyId: id, jwk: { kty: 'OKP', crv: 'Ed25519', x: old.jwk.x, kid: id }, validFrom: old.validFrom, validUntil: old.validUntil, current: false });
    }
    // The signing key is current even if an old copy of it is also listed as retired.
    entries.set(keyId, { keyId, jwk: { ...jwk, kid: keyId }, validFrom: opts.validFrom, validUntil: undefined, current: true });
    return new KeyRing(signingKey, keyId, new VerificationKeys([...entries.values()]));
  }

  /** base64url Ed25519 signature of `data` with the current key. */
  sign(data: Uint8Array): string {
    return sign(null, data, this.signingKey).toString('base64url');
  }

  /** Whether `signature` is `keyId`'s over `data`, by a key that was valid at `at`. */
  verify(keyId: string, data: Uint8Array, signature: string, at: Date): SignatureCheck {
    return this.verifier.verify(keyId, data, signature, at);
  }

  /** Every public key, the current one first. */
  list(): PublicSigningKey[] {
    return this.verifier.list().sort((a, b) => Number(b.current) - Number(a.current));
  }
}

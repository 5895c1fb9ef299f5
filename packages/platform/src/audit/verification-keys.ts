import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { canonicalJson } from '../canonical-json.js';

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

export type SignatureCheck = 'valid' | 'unknown key' | 'bad signature' | 'key expired' | 'key not yet valid';

/** RFC 7638 thumbprint of an Ed25519 key (sha256 of its required members, base64url). */
export function jwkThumbprint(jwk: Ed25519Jwk): string {
  return createHash('sha256').update(canonicalJson({ crv: jwk.crv, kty: jwk.kty, x: jwk.x })).digest('base64url');
}

/** Whether a parsed JSON value is an Ed25519 public JWK. */
export function isEd25519Jwk(jwk: unknown): jwk is Ed25519Jwk {
  const j = jwk as Partial<Ed25519Jwk> | null;
  return typeof j === 'object' && j !== null && j.kty === 'OKP' && j.crv === 'Ed25519' && typeof j.x === 'string';
}

/**
 * The public half of checkpoint signing: verifies a signature by key id, refusing a
 * key used outside its validity. The audit service's KeyRing checks with it, and so
 * does `assentctl audit verify` offline, from the keys `assentctl audit keys` printed
 * or an export carried.
 */
export class VerificationKeys {
  private readonly keys = new Map<string, { key: KeyObject; info: PublicSigningKey }>();

  constructor(keys: readonly PublicSigningKey[]) {
    for (const info of keys) {
      if (!isEd25519Jwk(info.jwk)) throw new Error(`verification key "${info.keyId}" is not an Ed25519 public JWK`);
      this.keys.set(info.keyId, { info, key: createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: info.jwk.x }, format: 'jwk' }) });
    }
  }

  /** Whether `signature` is `keyId`'s over `data`, by a key that was valid at `at`. */
  verify(keyId: string, data: Uint8Array, signature: string, at: Date): SignatureCheck {
    const entry = this.keys.get(keyId);
    if (!entry) return 'unknown key';
    if (!verify(null, data, entry.key, Buffer.from(signature, 'base64url'))) return 'bad signature';
    if (entry.info.validUntil && at > entry.info.validUntil) return 'key expired';
    if (entry.info.validFrom && at < entry.info.validFrom) return 'key not yet valid';
    return 'valid';
  }

  list(): PublicSigningKey[] {
    return [...this.keys.values()].map((e) => e.info);
  }
}

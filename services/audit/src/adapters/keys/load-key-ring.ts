import { createPrivateKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { KeyRing, type Ed25519Jwk, type RetiredKey } from '../../domain/key-ring.js';

/**
 * The signing key file: an Ed25519 private key as PKCS#8 PEM, or as a JWK (kty OKP,
 * crv Ed25519, with d). A JWK's "kid" becomes the key id; otherwise (and for PEM) it
 * is the RFC 7638 thumbprint of the public key.
 */
function readSigningKey(path: string): { key: KeyObject; keyId: string | undefined } {
  const text = readFileSync(path, 'utf8').trim();
  try {
    if (text.startsWith('{')) {
      const jwk = JSON.parse(text) as JsonWebKey;
      if (typeof jwk.d !== 'string') throw new Error('the JWK has no private part ("d")');
      const kid: unknown = jwk['kid'];
      return { key: createPrivateKey({ key: jwk, format: 'jwk' }), keyId: typeof kid === 'string' && kid ? kid : undefined };
    }
    return { key: createPrivateKey(text), keyId: undefined };
  } catch (err) {
    throw new Error(`audit signing key ${path}: ${(err as Error).message}`, { cause: err });
  }
}

interface VerifyKeyJson extends Ed25519Jwk {
  /** RFC 3339: when the key started signing. */
  from?: string;
  /** RFC 3339: when it stopped; checkpoints claiming a later time with it are refused. */
  until?: string;
}

function date(path: string, value: string | undefined, what: string): Date | undefined {
  if (value === undefined) return undefined;
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw new Error(`audit verify keys ${path}: ${what} "${value}" is not an RFC 3339 time`);
  return d;
}

/**
 * The verify keys file: a JWK Set ({"keys": [...]}) of earlier signing keys' public
 * halves, each optionally with "from" and "until" (RFC 3339), kept so checkpoints
 * they signed still verify after a rotation.
 */
function readRetiredKeys(path: string): RetiredKey[] {
  let body: { keys?: unknown };
  try {
    body = JSON.parse(readFileSync(path, 'utf8')) as { keys?: unknown };
  } catch (err) {
    throw new Error(`audit verify keys ${path}: ${(err as Error).message}`, { cause: err });
  }
  if (!Array.isArray(body.keys)) throw new Error(`audit verify keys ${path}: expected a JWK Set, {"keys": [...]}`);
  return (body.keys as VerifyKeyJson[]).map((k, i) => {
    if (k?.kty !== 'OKP' || k.crv !== 'Ed25519' || typeof k.x !== 'string') throw new Error(`audit verify keys ${path}: keys[${i}] is not an Ed25519 public JWK`);
    const jwk: Ed25519Jwk = { kty: 'OKP', crv: 'Ed25519', x: k.x, ...(typeof k.kid === 'string' && k.kid ? { kid: k.kid } : {}) };
    return { jwk, validFrom: date(path, k.from, `keys[${i}].from`), validUntil: date(path, k.until, `keys[${i}].until`) };
  });
}

/** The key ring from the configured files; throws (failing the boot) naming the file that is wrong. */
export function loadKeyRing(signingKeyFile: string, verifyKeysFile: string | undefined): KeyRing {
  const { key, keyId } = readSigningKey(signingKeyFile);
  return KeyRing.create(key, { keyId, retired: verifyKeysFile ? readRetiredKeys(verifyKeysFile) : [] });
}

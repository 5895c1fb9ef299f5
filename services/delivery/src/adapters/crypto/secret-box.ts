import { readFileSync } from 'node:fs';
import { CompactEncrypt, compactDecrypt, type CompactJWEHeaderParameters } from 'jose';

const KID = /^[A-Za-z0-9_-]{1,32}$/;
const REF = 'assent-ref';
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Envelope encryption for webhook signing secrets, as compact JWE (jose):
 * `A256KW` + `A256GCM`, i.e. a fresh random content key per secret, encrypting it
 * with AES-256-GCM, and that content key wrapped (AES key wrap) by a
 * key-encryption key (KEK) from a mounted Secret, named by `kid`. The record it
 * belongs to (`<tenant>.<id>`) is in the integrity-protected header, so a sealed
 * secret copied onto another endpoint does not open.
 *
 * Keys: `kid=<base64 of 32 bytes>` per line; the first is the primary (seals new
 * secrets), the others only open what they sealed. Rotation: put a new key first,
 * let `rewrap` move every record to it (delivery does at start), then drop the old.
 */
export class SecretBox {
  private readonly keys: Map<string, Uint8Array>;
  readonly primary: string;

  constructor(keys: readonly { kid: string; key: Uint8Array }[]) {
    if (keys.length === 0) throw new Error('no key-encryption key configured');
    for (const k of keys) {
      if (!KID.test(k.kid)) throw new Error(`key id "${k.kid}" must be 1-32 letters, digits, _ or -`);
      if (k.key.length !== 32) throw new Error(`key "${k.kid}" must be 32 bytes (base64 of 32 random bytes)`);
    }
    this.keys = new Map(keys.map((k) => [k.kid, k.key]));
    if (this.keys.size !== keys.length) throw new Error('key ids must be unique');
    this.primary = (keys[0] as { kid: string }).kid;
  }

  /** Parses the key file's text (see the class comment); blank lines and `#` comments are skipped. */
  static parse(text: string): SecretBox {
    const keys = text
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => {
        const i = l.indexOf('=');
        if (i <= 0) throw new Error('each line must be kid=<base64 key>');
        return { kid: l.slice(0, i), key: new Uint8Array(Buffer.from(l.slice(i + 1), 'base64')) };
      });
    return new SecretBox(keys);
  }

  static fromFile(file: string): SecretBox {
    try {
      return SecretBox.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new Error(`DELIVERY_SECRET_KEYS_FILE ${file}: ${(err as Error).message}`, { cause: err });
    }
  }

  /** The compact JWE of `secret`, bound to `ref`. */
  seal(secret: string, ref: string): Promise<string> {
    return new CompactEncrypt(encoder.encode(secret))
      .setProtectedHeader({ alg: 'A256KW', enc: 'A256GCM', kid: this.primary, [REF]: ref })
      .encrypt(this.keys.get(this.primary) as Uint8Array);
  }

  async open(sealed: string, ref: string): Promise<string> {
    const { plaintext, protectedHeader } = await compactDecrypt(
      sealed,
      (header: CompactJWEHeaderParameters) => {
        const key = header.kid ? this.keys.get(header.kid) : undefined;
        if (!key) throw new Error(`key "${String(header.kid)}" is not configured (was it removed before every secret was rewrapped?)`);
        return key;
      },
      { keyManagementAlgorithms: ['A256KW'], contentEncryptionAlgorithms: ['A256GCM'] },
    );
    if (protectedHeader[REF] !== ref) throw new Error(`sealed secret belongs to ${String(protectedHeader[REF])}, not ${ref}`);
    return decoder.decode(plaintext);
  }

  /** Sealed under a key other than the primary (rotation pending). */
  stale(sealed: string): boolean {
    try {
      const header = JSON.parse(Buffer.from(sealed.split('.')[0] ?? '', 'base64url').toString('utf8')) as { kid?: string };
      return header.kid !== this.primary;
    } catch {
      return true;
    }
  }

  /** The same secret sealed under the primary key. */
  async rewrap(sealed: string, ref: string): Promise<string> {
    return this.stale(sealed) ? this.seal(await this.open(sealed, ref), ref) : sealed;
  }
}

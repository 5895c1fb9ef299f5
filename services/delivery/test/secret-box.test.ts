import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SecretBox } from '../src/adapters/crypto/secret-box.js';

const key = () => randomBytes(32).toString('base64');
const secret = `whsec_${randomBytes(24).toString('base64')}`;

describe('SecretBox (envelope encryption of webhook secrets)', () => {
  it('seals a secret into a JWE that holds nothing of it, and opens it again', async () => {
    const box = SecretBox.parse(`# primary first\nk2=${key()}\n`);
    const sealed = await box.seal(secret, 'acme.ep1');
    expect(sealed.split('.')).toHaveLength(5);
    expect(sealed).not.toContain(secret.slice(6, 20));
    expect(JSON.parse(Buffer.from(sealed.split('.')[0] as string, 'base64url').toString())).toMatchObject({ alg: 'A256KW', enc: 'A256GCM', kid: 'k2' });
    expect(await box.open(sealed, 'acme.ep1')).toBe(secret);
    // A fresh content key each time: the same secret never seals the same way twice.
    expect(await box.seal(secret, 'acme.ep1')).not.toBe(sealed);
  });

  it('does not open a sealed secret moved onto another endpoint, tampered with, or under an unknown key', async () => {
    const box = SecretBox.parse(`k1=${key()}`);
    const sealed = await box.seal(secret, 'acme.ep1');
    await expect(box.open(sealed, 'globex.ep1')).rejects.toThrow(/belongs to acme.ep1/);
    const parts = sealed.split('.');
    parts[3] = Buffer.from('x'.repeat(40)).toString('base64url');
    await expect(box.open(parts.join('.'), 'acme.ep1')).rejects.toThrow();
    await expect(SecretBox.parse(`k9=${key()}`).open(sealed, 'acme.ep1')).rejects.toThrow(/"k1" is not configured/);
  });

  it('rotates: a new primary opens old secrets, rewraps them, and then the old key can go', async () => {
    const [old, next] = [key(), key()];
    const before = SecretBox.parse(`k1=${old}`);
    const sealed = await before.seal(secret, 'acme.ep1');
    const during = SecretBox.parse(`k2=${next}\nk1=${old}`);
    expect(during.stale(sealed)).toBe(true);
    const rewrapped = await during.rewrap(sealed, 'acme.ep1');
    expect(during.stale(rewrapped)).toBe(false);
    const after = SecretBox.parse(`k2=${next}`);
    expect(await after.open(rewrapped, 'acme.ep1')).toBe(secret);
    await expect(after.open(sealed, 'acme.ep1')).rejects.toThrow(/not configured/);
  });

  it('refuses bad key files', () => {
    expect(() => SecretBox.parse('')).toThrow(/no key/);
    expect(() => SecretBox.parse('k1')).toThrow(/kid=/);
    expect(() => SecretBox.parse(`k1=${randomBytes(16).toString('base64')}`)).toThrow(/32 bytes/);
    expect(() => SecretBox.parse(`k1=${key()}\nk1=${key()}`)).toThrow(/unique/);
    expect(() => SecretBox.parse(`bad id=${key()}`)).toThrow(/key id/);
  });
});

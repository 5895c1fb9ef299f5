import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testEnv } from './env.js';
import { removeOnExit } from './server-process.js';
import { createDevIssuerKey, mintToken, serveJwks, writeDevIssuerKey, type DevIssuerKey, type TokenClaims } from '@assent/platform';

export interface TestIssuer {
  key: DevIssuerKey;
  keyFile: string;
  jwksUrl: string;
  issuer: string;
  /** A token for `audience` (default `assent`; a service calling e.g. authz uses `assent:authz`). */
  token(claims: TokenClaims): Promise<string>;
  stop(): Promise<void>;
}

/** A dev JWT issuer on a free port; its key file lets services mint their own service tokens. */
export async function startTestIssuer(): Promise<TestIssuer> {
  const issuer = 'https://issuer.assent.test';
  const key = await createDevIssuerKey(issuer);
  const keyFile = join(await mkdtemp(join(tmpdir(), 'assent-issuer-')), 'dev-issuer.json');
  await writeDevIssuerKey(keyFile, key);
  const served = await serveJwks(key, 0);
  return {
    key,
    keyFile,
    jwksUrl: served.url,
    issuer,
    token: (claims) => mintToken(key, claims),
    stop: () => served.close(),
  };
}

/** The ASSENT_* variables every service needs, pointed at the test's isolated resources. */
export function commonTestEnv(root: string, issuer: TestIssuer): Record<string, string> {
  return {
    ASSENT_NATS_URL: testEnv.natsUrl,
    ASSENT_REDIS_URL: testEnv.redisUrl,
    ASSENT_SUBJECT_ROOT: root,
    ASSENT_LOG_LEVEL: process.env['ASSENT_TEST_LOG_LEVEL'] ?? 'silent',
    ASSENT_JWKS_URL: issuer.jwksUrl,
    ASSENT_JWT_ISSUER: issuer.issuer,
    ASSENT_JWT_AUDIENCE: 'assent',
    ASSENT_DEV_ISSUER_KEY_FILE: issuer.keyFile,
    ASSENT_BIND_HOST: '127.0.0.1',
    DELIVERY_SECRET_KEYS_FILE: deliverySecretKeysFile(),
    AUDIT_SIGNING_KEY_FILE: auditSigningKeyFile(),
  };
}

let keysFile: string | undefined;
/** A key file for delivery's webhook-secret encryption (one random key), made once per test process. */
export function deliverySecretKeysFile(): string {
  if (!keysFile) {
    const dir = mkdtempSync(join(tmpdir(), 'assent-delivery-keys-'));
    removeOnExit(dir);
    keysFile = join(dir, 'secret-keys');
    writeFileSync(keysFile, `test1=${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
  }
  return keysFile;
}

let signingKeyFile: string | undefined;
/** An Ed25519 key (JWK, kid "test-audit") for audit's checkpoints, made once per test process. */
export function auditSigningKeyFile(): string {
  if (!signingKeyFile) {
    const dir = mkdtempSync(join(tmpdir(), 'assent-audit-key-'));
    removeOnExit(dir);
    signingKeyFile = join(dir, 'signing-key.jwk');
    const jwk = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' });
    writeFileSync(signingKeyFile, JSON.stringify({ ...jwk, kid: 'test-audit' }), { mode: 0o600 });
  }
  return signingKeyFile;
}

import { readFile } from 'node:fs/promises';
import { mintToken, readDevIssuerKey, type DevIssuerKey } from './dev-issuer.js';

/** Supplies the bearer token a service or CLI sends on outgoing calls. */
export interface TokenSource {
  token(): Promise<string>;
}

export function staticToken(token: string): TokenSource {
  return { token: async () => token };
}

/**
 * Reads a token file (e.g. a projected Kubernetes ServiceAccount token), re-reading
 * it periodically because the kubelet rotates it.
 */
export function fileTokenSource(path: string, refreshMs = 60_000): TokenSource {
  let cached: { value: string; at: number } | undefined;
  return {
    async token() {
      if (!cached || Date.now() - cached.at > refreshMs) {
        cached = { value: (await readFile(path, 'utf8')).trim(), at: Date.now() };
      }
      return cached.value;
    },
  };
}

/** Mints short-lived tokens with the dev issuer key (local runs and tests only). */
export function devTokenSource(
  key: DevIssuerKey | string,
  claims: { subject: string; tenant?: string; roles?: string[]; audience?: string; signIn?: { acr: string; amr: string[] } },
): TokenSource {
  let cached: { value: string; exp: number } | undefined;
  let loaded: Promise<DevIssuerKey> | undefined;
  return {
    async token() {
      if (cached && cached.exp - Date.now() > 60_000) return cached.value;
      loaded ??= typeof key === 'string' ? readDevIssuerKey(key) : Promise.resolve(key);
      const k = await loaded;
      const ttlSeconds = 600;
      const { signIn, ...rest } = claims;
      // A sign-in the dev token vouches for happened now (what a step-up asks for).
      const auth = signIn ? { authTime: Math.floor(Date.now() / 1000), acr: signIn.acr, amr: signIn.amr } : {};
      cached = { value: await mintToken(k, { ...rest, ...auth, ttlSeconds }), exp: Date.now() + ttlSeconds * 1000 };
      return cached.value;
    },
  };
}

/**
 * The token a service presents to `target` (another service), from config: minted for
 * audience `<audience>:<target>` with the dev issuer, or read from
 * ASSENT_SERVICE_TOKEN_FILE, where `{target}` stands for the target's name (Kubernetes
 * projects one token per audience, e.g. /var/run/secrets/assent/authz.token).
 */
export function serviceTokenSource(
  service: string,
  target: string,
  auth: { serviceTokenFile: string | undefined; devIssuerKeyFile: string | undefined; audience: string },
): TokenSource {
  if (auth.serviceTokenFile) return fileTokenSource(auth.serviceTokenFile.replaceAll('{target}', target));
  if (auth.devIssuerKeyFile) return devTokenSource(auth.devIssuerKeyFile, { subject: `service:${service}`, audience: `${auth.audience}:${target}` });
  throw new Error('no service identity: set ASSENT_SERVICE_TOKEN_FILE or ASSENT_DEV_ISSUER_KEY_FILE');
}

import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';

/**
 * A local token issuer for `make up` and tests: an ES256 key pair whose public
 * half is served as a JWKS. In Kubernetes the JWKS is the cluster's (projected
 * ServiceAccount tokens) or your IdP's instead.
 */
export interface DevIssuerKey {
  issuer: string;
  audience: string;
  privateJwk: JWK;
}

export async function createDevIssuerKey(issuer: string, audience = 'assent'): Promise<DevIssuerKey> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const privateJwk = await exportJWK(privateKey);
  privateJwk.kid = `dev-${Date.now().toString(36)}`;
  privateJwk.alg = 'ES256';
  return { issuer, audience, privateJwk };
}

export async function writeDevIssuerKey(path: string, key: DevIssuerKey): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, JSON.stringify(key, null, 2), { mode: 0o600 });
}

export async function readDevIssuerKey(path: string): Promise<DevIssuerKey> {
  return JSON.parse(await readFile(path, 'utf8')) as DevIssuerKey;
}

export function publicJwks(key: DevIssuerKey): { keys: JWK[] } {
  const { d: _d, ...pub } = key.privateJwk;
  return { keys: [{ ...pub, use: 'sig' }] };
}

export interface TokenClaims {
  subject: string;
  tenant?: string;
  roles?: string[];
  ttlSeconds?: number;
  /** Default: the key's audience (`assent`); a service calling another names it, e.g. `assent:authz`. */
  audience?: string;
  /** A sign-in the token vouches for (OIDC `auth_time` in seconds, `acr`, `amr`): step-up tests and `assentctl --mfa`. */
  authTime?: number;
  acr?: string;
  amr?: string[];
}

export async function mintToken(key: DevIssuerKey, claims: TokenClaims): Promise<string> {
  const privateKey = await importJWK(key.privateJwk, 'ES256');
  const jwt = new SignJWT({
    ...(claims.tenant ? { tenant: claims.tenant } : {}),
    ...(claims.roles?.length ? { roles: claims.roles } : {}),
    ...(claims.authTime !== undefined ? { auth_time: claims.authTime } : {}),
    ...(claims.acr ? { acr: claims.acr } : {}),
    ...(claims.amr?.length ? { amr: claims.amr } : {}),
  })
    .setProtectedHeader({ alg: 'ES256', kid: key.privateJwk.kid ?? 'dev' })
    .setIssuer(key.issuer)
    .setAudience(claims.audience ?? key.audience)
    .setSubject(claims.subject)
    .setIssuedAt()
    .setExpirationTime(`${claims.ttlSeconds ?? 3600}s`);
  return jwt.sign(privateKey);
}

/** Serves GET /.well-known/jwks.json. */
export async function serveJwks(key: DevIssuerKey, port: number, host = '127.0.0.1'): Promise<{ url: string; port: number; server: Server; close(): Promise<void> }> {
  const body = JSON.stringify(publicJwks(key));
  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/.well-known/jwks.json') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${actual}/.well-known/jwks.json`,
    port: actual,
    server,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

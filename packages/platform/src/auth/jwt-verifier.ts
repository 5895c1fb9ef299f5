import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRemoteJWKSet, customFetch, decodeJwt, errors, jwtVerify, type FetchImplementation, type JWTPayload } from 'jose';
import { UnauthenticatedError } from '../errors.js';
import { LruCache } from '../lru-cache.js';
import type { Principal } from './principal.js';

export interface TokenVerifier {
  verify(token: string): Promise<Principal>;
}

export interface TrustedIssuer {
  issuer: string;
  jwksUrl: string;
  /**
   * A file whose contents are presented as `Authorization: Bearer …` when fetching
   * the JWKS, read on every fetch (the kubelet rotates it). The Kubernetes API
   * server serves its keys only to authenticated callers with issuer discovery
   * rights (deploy/k8s: ClusterRoleBinding to system:service-account-issuer-discovery).
   */
  jwksTokenFile?: string | undefined;
  /** What this issuer may assert; everything when absent. */
  rights?: IssuerRights | undefined;
}

/** What a trusted issuer may assert in its tokens. */
export interface IssuerRights {
  /** Its subjects may be services (if also on the service list). */
  services: boolean;
  /** Its tokens may carry the platform-admin role. */
  platformAdmin: boolean;
  /** Tenants its tokens may name: '*' for any, else a list. */
  tenants: '*' | readonly string[];
  /**
   * Its subjects' namespace: `sub` "alice" becomes the principal "<prefix>:alice", so two
   * issuers' "alice" are two people. Without one, a subject may not contain ":" unless
   * it is a listed service (so nobody can name themselves into another's namespace).
   */
  prefix?: string | undefined;
}

/** An issuer's subject namespace: lowercase letters, digits, "." and "-" (e.g. its host name). */
export const SUBJECT_PREFIX = /^[a-z0-9][a-z0-9.-]{0,62}$/;
const LOCAL_SUBJECT = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$/;

/**
 * `services`, `platform-admin`, `tenants=<a>|<b>` (or `tenants=*`) and `prefix=<ns>`
 * (or `prefix=none`), comma-separated; what is not listed is not allowed. E.g. the
 * cluster: `services`; an IdP for people of two tenants: `tenants=acme|globex,prefix=okta`.
 */
export function parseIssuerRights(text: string): IssuerRights {
  const rights: IssuerRights = { services: false, platformAdmin: false, tenants: [] };
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    if (part === 'services') rights.services = true;
    else if (part === 'platform-admin') rights.platformAdmin = true;
    else if (part.startsWith('tenants=')) {
      const list = part.slice('tenants='.length).split('|').map((t) => t.trim()).filter(Boolean);
      rights.tenants = list.includes('*') ? '*' : list;
    } else if (part.startsWith('prefix=')) {
      const prefix = part.slice('prefix='.length);
      if (prefix !== 'none' && !SUBJECT_PREFIX.test(prefix)) throw new Error(`prefix "${prefix}" must be lowercase letters, digits, "." or "-" (or none)`);
      rights.prefix = prefix === 'none' ? undefined : prefix;
    } else throw new Error(`unknown issuer right "${part}" (services, platform-admin, tenants=a|b or tenants=*, prefix=<ns>)`);
  }
  return rights;
}

/** fetch with the bearer token from `file`, re-read each time. */
function withBearerFrom(file: string): FetchImplementation {
  return (url, options) => fetch(url, { ...options, headers: { ...options.headers, authorization: `Bearer ${readFileSync(file, 'utf8').trim()}` } });
}

export interface JwtVerifierOptions {
  issuers: TrustedIssuer[];
  audience: string;
  /**
   * This service's own audience (`assent:<service>`): a service identity must present
   * a token minted for it, so a token one service was given cannot be replayed at
   * another. People's tokens may carry either audience.
   */
  serviceAudience?: string;
  serviceSubjects: string[];
  /** Signature algorithms accepted (pinned: never `none` or a shared-secret HMAC). Default RS256 and ES256. */
  algorithms?: readonly string[];
  /** Verified tokens remembered (LRU); 0 turns the cache off. */
  cacheSize?: number;
  /** Clock in ms since epoch (tests). */
  now?: () => number;
}

/**
 * Verifies bearer JWTs against the JWKS of the issuer the token names (keys cached
 * and refreshed by jose). Several issuers may be trusted, e.g. the cluster for
 * ServiceAccount tokens and an IdP for people. A subject is a service only if it
 * is on `serviceSubjects`: any other workload's token is an ordinary user without
 * a tenant, so it can act nowhere.
 *
 * A verified token's principal is remembered until the token's `exp` (never
 * beyond, and not at all without one), keyed by the token's sha256, so a caller
 * that reuses its token pays for one signature check, not one per call. Failures
 * are not remembered. A signing key removed from the JWKS therefore stops a
 * cached token only when it expires, as it would for any stateless verifier
 * that cached the JWKS.
 */
export function createJwtVerifier(opts: JwtVerifierOptions): TokenVerifier {
  const rightsOf = new Map(opts.issuers.map((i) => [i.issuer, i.rights]));
  const keys = new Map(
    opts.issuers.map((i) => [
      i.issuer,
      createRemoteJWKSet(new URL(i.jwksUrl), {
        cooldownDuration: 30_000,
        cacheMaxAge: 600_000,
        ...(i.jwksTokenFile ? { [customFetch]: withBearerFrom(i.jwksTokenFile) } : {}),
      }),
    ]),
  );
  const services = new Set(opts.serviceSubjects);
  const now = opts.now ?? Date.now;
  const cacheSize = opts.cacheSize ?? 10_000;
  const algorithms = opts.algorithms ?? ['RS256', 'ES256'];
  const unsafe = algorithms.filter((a) => a === 'none' || a.startsWith('HS'));
  if (unsafe.length) throw new Error(`JWT algorithms ${unsafe.join(', ')} are not accepted: a JWKS verifier needs asymmetric signatures`);
  const cache = cacheSize > 0 ? new LruCache<string, Principal>(cacheSize, now) : undefined;

  async function verifySignature(token: string): Promise<{ principal: Principal; exp: number | undefined }> {
    let issuer: string | undefined;
    try {
      issuer = decodeJwt(token).iss;
    } catch {
      throw new UnauthenticatedError('invalid token: not a JWT');
    }
    const jwks = issuer ? keys.get(issuer) : undefined;
    if (!issuer || !jwks) throw new UnauthenticatedError('invalid token: issuer not trusted');
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, jwks, {
        issuer,
        audience: opts.serviceAudience ? [opts.audience, opts.serviceAudience] : opts.audience,
        algorithms: [...algorithms],
        // A token without an expiry would be good forever.
        requiredClaims: ['exp'],
        clockTolerance: 5,
        currentDate: new Date(now()),
      }));
    } catch (err) {
      if (err instanceof errors.JWTExpired) throw new UnauthenticatedError('token expired');
      if (err instanceof errors.JWTClaimValidationFailed && err.claim === 'aud') {
        throw new UnauthenticatedError(`invalid token: its audience is not ${[opts.audience, opts.serviceAudience].filter(Boolean).join(' or ')}`);
      }
      if (err instanceof errors.JOSEError) throw new UnauthenticatedError(`invalid token: ${err.code}`);
      throw err;
    }
    if (!payload.sub) throw new UnauthenticatedError('invalid token: no subject');
    const tenant = typeof payload['tenant'] === 'string' ? payload['tenant'] : undefined;
    const roles = Array.isArray(payload['roles']) ? payload['roles'].filter((r): r is string => typeof r === 'string') : [];
    // Frozen: one cached principal is shared by every call that presents the token.
    Object.freeze(roles);
    const rights = rightsOf.get(issuer);
    if (rights) {
      if (tenant !== undefined && rights.tenants !== '*' && !rights.tenants.includes(tenant)) {
        throw new UnauthenticatedError(`issuer ${issuer} may not assert tenant "${tenant}"`);
      }
      if (roles.includes('platform-admin') && !rights.platformAdmin) throw new UnauthenticatedError(`issuer ${issuer} may not assert platform-admin`);
    }
    // Subjects are namespaced by issuer: a prefixed issuer's "alice" is "<prefix>:alice".
    let subject = payload.sub;
    if (rights?.prefix) {
      if (!LOCAL_SUBJECT.test(payload.sub)) throw new UnauthenticatedError(`invalid token: subject "${payload.sub}" is not a user id`);
      subject = `${rights.prefix}:${payload.sub}`;
    } else if (subject.includes(':') && !services.has(subject)) {
      throw new UnauthenticatedError(`invalid token: subject "${subject}" names a namespace; only namespaced issuers and listed services may`);
    }
    // Only an issuer allowed to may vouch for a service identity.
    const service = services.has(subject) && (rights?.services ?? true);
    if (service && opts.serviceAudience) {
      const aud = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
      if (!aud.includes(opts.serviceAudience)) throw new UnauthenticatedError(`a service's token here must be for audience ${opts.serviceAudience}`);
    }
    const authTime = typeof payload['auth_time'] === 'number' ? new Date(payload['auth_time'] * 1000) : undefined;
    const acr = typeof payload['acr'] === 'string' ? payload['acr'] : undefined;
    const amr = Object.freeze(Array.isArray(payload['amr']) ? payload['amr'].filter((m): m is string => typeof m === 'string') : []);
    const authentication = authTime || acr || amr.length ? Object.freeze({ time: authTime, acr, amr }) : undefined;
    const principal: Principal = Object.freeze({ subject, kind: service ? 'service' : 'user', tenant, roles, ...(authentication ? { authentication } : {}) });
    return { principal, exp: typeof payload.exp === 'number' ? payload.exp * 1000 : undefined };
  }

  return {
    async verify(token: string): Promise<Principal> {
      if (!cache) return (await verifySignature(token)).principal;
      const key = createHash('sha256').update(token).digest('base64url');
      const hit = cache.get(key);
      if (hit) return hit;
      const { principal, exp } = await verifySignature(token);
      if (exp !== undefined) cache.set(key, principal, exp);
      return principal;
    },
  };
}

import { createRemoteJWKSet, decodeJwt, errors, jwtVerify, type JWTPayload } from 'jose';
import { UnauthenticatedError } from '../errors.js';
import type { Principal } from './principal.js';

export interface TokenVerifier {
  verify(token: string): Promise<Principal>;
}

export interface TrustedIssuer {
  issuer: string;
  jwksUrl: string;
}

/**
 * Verifies bearer JWTs against the JWKS of the issuer the token names (keys cached
 * and refreshed by jose). Several issuers may be trusted, e.g. the cluster for
 * ServiceAccount tokens and an IdP for people. A subject is a service only if it
 * is on `serviceSubjects`: any other workload's token is an ordinary user without
 * a tenant, so it can act nowhere.
 */
export function createJwtVerifier(opts: { issuers: TrustedIssuer[]; audience: string; serviceSubjects: string[] }): TokenVerifier {
  const keys = new Map(opts.issuers.map((i) => [i.issuer, createRemoteJWKSet(new URL(i.jwksUrl), { cooldownDuration: 30_000, cacheMaxAge: 600_000 })]));
  const services = new Set(opts.serviceSubjects);
  return {
    async verify(token: string): Promise<Principal> {
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
        ({ payload } = await jwtVerify(token, jwks, { issuer, audience: opts.audience, clockTolerance: 5 }));
      } catch (err) {
        if (err instanceof errors.JWTExpired) throw new UnauthenticatedError('token expired');
        if (err instanceof errors.JOSEError) throw new UnauthenticatedError(`invalid token: ${err.code}`);
        throw err;
      }
      if (!payload.sub) throw new UnauthenticatedError('invalid token: no subject');
      const tenant = typeof payload['tenant'] === 'string' ? payload['tenant'] : undefined;
      const roles = Array.isArray(payload['roles']) ? payload['roles'].filter((r): r is string => typeof r === 'string') : [];
      return { subject: payload.sub, kind: services.has(payload.sub) ? 'service' : 'user', tenant, roles };
    },
  };
}

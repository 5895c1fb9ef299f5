import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';
import { UnauthenticatedError } from '../errors.js';
import { isService, type Principal } from './principal.js';

export interface TokenVerifier {
  verify(token: string): Promise<Principal>;
}

/** Verifies bearer JWTs against a JWKS (keys cached and refreshed by jose). */
export function createJwtVerifier(opts: { jwksUrl: string; issuer: string; audience: string }): TokenVerifier {
  const jwks = createRemoteJWKSet(new URL(opts.jwksUrl), { cooldownDuration: 30_000, cacheMaxAge: 600_000 });
  return {
    async verify(token: string): Promise<Principal> {
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, jwks, { issuer: opts.issuer, audience: opts.audience, clockTolerance: 5 }));
      } catch (err) {
        if (err instanceof errors.JWTExpired) throw new UnauthenticatedError('token expired');
        if (err instanceof errors.JOSEError) throw new UnauthenticatedError(`invalid token: ${err.code}`);
        throw err;
      }
      if (!payload.sub) throw new UnauthenticatedError('invalid token: no subject');
      const tenant = typeof payload['tenant'] === 'string' ? payload['tenant'] : undefined;
      const roles = Array.isArray(payload['roles']) ? payload['roles'].filter((r): r is string => typeof r === 'string') : [];
      return { subject: payload.sub, kind: isService(payload.sub) ? 'service' : 'user', tenant, roles };
    },
  };
}

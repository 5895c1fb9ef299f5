import type { AuthContext } from '@assent/platform';
import type { deliveryv1 } from '@assent/proto';
import type { CallContext } from 'nice-grpc';
import { createEndpoint } from '../../domain/commands/create-endpoint.js';
import { listAttempts } from '../../domain/commands/list-attempts.js';
import { listEndpoints } from '../../domain/commands/list-endpoints.js';
import type { DeliveryDeps } from '../../domain/ports.js';
import { createStreamCredential, listStreamCredentials, revokeStreamCredential } from '../../domain/commands/stream-credentials.js';
import { toProtoAttempt, toProtoEndpoint, toProtoStreamCredential } from './mapping.js';

type Ctx = CallContext & AuthContext;

/** Thin handlers: map proto → domain, call one command, map back. */
export function deliveryService(deps: DeliveryDeps): deliveryv1.DeliveryServiceImplementation<AuthContext> {
  return {
    async createEndpoint(req, ctx: Ctx) {
      return { endpoint: toProtoEndpoint(await createEndpoint(deps, ctx.principal, req)) };
    },
    async listEndpoints(req, ctx: Ctx) {
      return { endpoints: (await listEndpoints(deps, ctx.principal, req)).map(toProtoEndpoint) };
    },
    async listAttempts(req, ctx: Ctx) {
      return { attempts: (await listAttempts(deps, ctx.principal, req)).map(toProtoAttempt) };
    },
    async createStreamCredential(req, ctx: Ctx) {
      const issued = await createStreamCredential(deps, ctx.principal, req);
      return { ...issued, credential: toProtoStreamCredential(issued.credential) };
    },
    async listStreamCredentials(req, ctx: Ctx) {
      return { credentials: (await listStreamCredentials(deps, ctx.principal, req)).map(toProtoStreamCredential) };
    },
    async revokeStreamCredential(req, ctx: Ctx) {
      return { credential: toProtoStreamCredential(await revokeStreamCredential(deps, ctx.principal, req)) };
    },
  };
}

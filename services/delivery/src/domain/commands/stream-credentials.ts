import { FailedPreconditionError, NotFoundError, Violations, type Principal } from '@assent/platform/domain';
import { eventTypes, streamCredentialData } from '../events.js';
import type { DeliveryDeps, EventGateway } from '../ports.js';
import type { StreamCredential } from '../types.js';
import { requireAdmin } from './require-access.js';

/** Valid credentials a tenant may hold at once. */
export const MAX_STREAM_CREDENTIALS = 50;
const CONSUMER = /^[a-z][a-z0-9-]{0,31}$/;
const WHAT = 'stream credentials';

function gatewayOf(deps: Pick<DeliveryDeps, 'gateway'>): EventGateway {
  if (!deps.gateway) throw new FailedPreconditionError('no event gateway is configured (DELIVERY_EVENT_GATEWAY_URL)', 'GATEWAY_NOT_CONFIGURED');
  return deps.gateway;
}

export interface IssuedStreamCredential {
  credential: StreamCredential;
  /** NATS credentials file: returned once, never stored. */
  creds: string;
  url: string;
  stream: string;
  subjects: string;
  apiPrefix: string;
}

/**
 * A credential for an outside consumer: the tenant's account, stream and durable
 * consumer are made ready first, then a user is signed and recorded; its creds are
 * returned only if the record was written, so every credential handed out can be revoked.
 */
export async function createStreamCredential(deps: DeliveryDeps, caller: Principal, input: { tenant: string; consumer: string }): Promise<IssuedStreamCredential> {
  const v = new Violations().check('tenant', input.tenant, 'tenant');
  if (!CONSUMER.test(input.consumer)) v.add('consumer', 'must be 1-32 lowercase letters, digits or "-", starting with a letter');
  v.throwIfAny();
  await requireAdmin(deps, caller, input.tenant, WHAT);
  const gateway = gatewayOf(deps);
  const valid = (await deps.credentials.list(input.tenant)).filter((c) => !c.revokedAt);
  if (valid.length >= MAX_STREAM_CREDENTIALS) {
    throw new FailedPreconditionError(`tenant "${input.tenant}" already has ${MAX_STREAM_CREDENTIALS} valid stream credentials; revoke one first`, 'TOO_MANY_CREDENTIALS');
  }
  await gateway.prepare(input.tenant, input.consumer);
  const id = deps.ids.newId();
  const signed = await gateway.signReader(input.tenant, `${input.tenant}/${input.consumer}/${id}`);
  const credential: StreamCredential = {
    id,
    tenant: input.tenant,
    consumer: input.consumer,
    publicKey: signed.publicKey,
    createdAt: deps.clock.now(),
    createdBy: caller.subject,
    revokedAt: undefined,
  };
  await deps.credentials.create(credential);
  await deps.events.publish({ type: eventTypes.streamCredentialCreated, tenant: input.tenant, subject: `credential/${id}`, data: streamCredentialData(credential, caller.subject) });
  return { credential, creds: signed.creds, url: gateway.url, stream: gateway.stream, subjects: gateway.subjectsOf(input.tenant), apiPrefix: gateway.apiPrefix };
}

export async function listStreamCredentials(deps: DeliveryDeps, caller: Principal, input: { tenant: string }): Promise<StreamCredential[]> {
  new Violations().check('tenant', input.tenant, 'tenant').throwIfAny();
  await requireAdmin(deps, caller, input.tenant, WHAT);
  return deps.credentials.list(input.tenant);
}

/** Revokes at the gateway first, then records and publishes it (for audit, with who); revoking a revoked credential changes nothing. */
export async function revokeStreamCredential(deps: DeliveryDeps, caller: Principal, input: { tenant: string; id: string }): Promise<StreamCredential> {
  new Violations().check('tenant', input.tenant, 'tenant').check('id', input.id, 'id').throwIfAny();
  await requireAdmin(deps, caller, input.tenant, WHAT);
  const credential = await deps.credentials.get(input.tenant, input.id);
  if (!credential) throw new NotFoundError('stream credential', input.id);
  if (credential.revokedAt) return credential;
  await gatewayOf(deps).revoke(input.tenant, credential.publicKey);
  const revoked = { ...credential, revokedAt: deps.clock.now() };
  await deps.credentials.update(revoked);
  await deps.events.publish({ type: eventTypes.streamCredentialRevoked, tenant: input.tenant, subject: `credential/${revoked.id}`, data: streamCredentialData(revoked, caller.subject) });
  return revoked;
}

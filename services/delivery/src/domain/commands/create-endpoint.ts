import { InvalidArgumentError, UnavailableError, type Principal } from '@assent/platform/domain';
import { validateEndpointInput, type EndpointInput } from '../endpoint-validation.js';
import { endpointCreatedData, eventTypes } from '../events.js';
import type { DeliveryDeps } from '../ports.js';
import { checkTarget } from '../ssrf-guard.js';
import type { Endpoint } from '../types.js';
import { requireAdmin } from './require-access.js';

/**
 * Creates an endpoint with a fresh signing secret; the only time the secret is
 * returned. Published for audit with who created it (never the secret).
 */
export async function createEndpoint(deps: DeliveryDeps, caller: Principal, input: EndpointInput): Promise<Endpoint> {
  validateEndpointInput(input).throwIfAny();
  await requireAdmin(deps, caller, input.tenant);
  if (!deps.allowPrivateTargets) {
    const check = await checkTarget(input.url, deps.resolver);
    if (!check.ok) {
      if (check.kind === 'dns_error') throw new UnavailableError(`cannot check the endpoint URL now: ${check.reason}`);
      throw InvalidArgumentError.field('url', check.reason);
    }
  }
  const endpoint: Endpoint = {
    id: deps.ids.newId(),
    tenant: input.tenant,
    url: input.url,
    description: input.description,
    eventTypes: [...input.eventTypes],
    secret: deps.ids.newSecret(),
    createdAt: deps.clock.now(),
    disabled: false,
  };
  await deps.endpoints.create(endpoint);
  await deps.events.publish({ type: eventTypes.endpointCreated, tenant: endpoint.tenant, subject: `endpoint/${endpoint.id}`, data: endpointCreatedData(endpoint, caller.subject) });
  return endpoint;
}

/** assent.authz.model_applied.v1 (proto/assent/events/v1/events.proto AuthzModelApplied). */
export const modelAppliedType = 'assent.authz.model_applied.v1';

/**
 * The tenantid of events that concern the whole platform rather than one tenant
 * (the subject's tenant token, the audit chain they are recorded in). A valid tenant
 * id, so every consumer takes them as it takes any tenant's (the audit service
 * refuses ids that are not), and reserved: CreateTenant refuses it, so no tenant's
 * webhooks, streams or audit queries ever see these events as theirs.
 */
export const PLATFORM_TENANT = 'platform';

export const modelAppliedData = (m: { modelId: string; previousModelId: string; actor: string }) => ({
  modelId: m.modelId,
  previousModelId: m.previousModelId,
  actor: m.actor,
});

import { statusNameOf, type AuthContext } from '@assent/platform';
import type { authzv1 } from '@assent/proto';
import type { CallContext } from 'nice-grpc';
import { addTenantMember } from '../../domain/commands/add-tenant-member.js';
import { checkAccess } from '../../domain/commands/check-access.js';
import { changeGroupMember } from '../../domain/commands/change-group-member.js';
import { checkApprover } from '../../domain/commands/check-approver.js';
import { listGroupMembers } from '../../domain/commands/list-group-members.js';
import { listUserGroups } from '../../domain/commands/list-user-groups.js';
import { removeGrant } from '../../domain/commands/remove-grant.js';
import { createTenant } from '../../domain/commands/create-tenant.js';
import { listProtectedActions } from '../../domain/commands/list-protected-actions.js';
import { registerProtectedAction } from '../../domain/commands/register-protected-action.js';
import { writeGrant } from '../../domain/commands/write-grant.js';
import { checkStepUp, stepUp } from '../../domain/commands/step-up.js';
import { explainAccess } from '../../domain/commands/explain-access.js';
import { listApprovers } from '../../domain/commands/list-approvers.js';
import { listAccess } from '../../domain/commands/list-access.js';
import { batchCheck } from '../../domain/commands/batch-check.js';
import { getModel } from '../../domain/commands/get-model.js';
import { applyModel } from '../../domain/commands/apply-model.js';
import { simulateModel } from '../../domain/commands/simulate-model.js';
import type { AuthzDeps, ModelLifecycleDeps } from '../../domain/ports.js';
import { fromProtoConsistency, toProtoCheck, toProtoStepUp, toProtoAction, toProtoDecision, toProtoGrant, toProtoTenant } from './mapping.js';

type Ctx = CallContext & AuthContext;

/** Thin handlers: map proto → domain, call one command, map back. */
export function authzService(deps: AuthzDeps, lifecycle: ModelLifecycleDeps): authzv1.AuthzServiceImplementation<AuthContext> {
  return {
    async getModel(_req, ctx: Ctx) {
      const m = await getModel(lifecycle, ctx.principal);
      return { modelId: m.modelId, dsl: m.dsl, source: m.source, appliedAt: m.appliedAt, appliedBy: m.appliedBy };
    },
    async applyModel(req, ctx: Ctx) {
      return applyModel(lifecycle, ctx.principal, req);
    },
    async simulateModel(req, ctx: Ctx) {
      const r = await simulateModel(lifecycle, ctx.principal, req);
      return {
        draftModelId: r.draftModelId,
        replayed: r.replayed,
        skipped: r.skipped,
        changes: r.changes.map(({ recorded: d, current, draft }) => ({
          decisionId: d.id,
          tenant: d.tenant,
          principal: d.principal,
          action: d.action,
          resource: d.resource,
          decidedAt: d.decidedAt,
          recorded: toProtoDecision(d.decision),
          current: toProtoDecision(current),
          draft: toProtoDecision(draft),
        })),
      };
    },
    async check(req, ctx: Ctx) {
      return toProtoCheck(await checkAccess(deps, ctx.principal, { ...req, consistency: fromProtoConsistency(req.consistency) }));
    },
    async checkApprover(req, ctx: Ctx) {
      return checkApprover(deps, ctx.principal, req);
    },
    async createTenant(req, ctx: Ctx) {
      const { tenant, created } = await createTenant(deps, ctx.principal, req);
      return { tenant: toProtoTenant(tenant), created };
    },
    async addTenantMember(req, ctx: Ctx) {
      await addTenantMember(deps, ctx.principal, req);
      return {};
    },
    async addGroupMember(req, ctx: Ctx) {
      await changeGroupMember(deps, ctx.principal, req, 'add');
      return {};
    },
    async removeGroupMember(req, ctx: Ctx) {
      await changeGroupMember(deps, ctx.principal, req, 'remove');
      return {};
    },
    async listGroupMembers(req, ctx: Ctx) {
      return listGroupMembers(deps, ctx.principal, req);
    },
    async listUserGroups(req, ctx: Ctx) {
      return listUserGroups(deps, ctx.principal, req);
    },
    async registerProtectedAction(req, ctx: Ctx) {
      return { protectedAction: toProtoAction(await registerProtectedAction(deps, ctx.principal, req)) };
    },
    async listProtectedActions(req, ctx: Ctx) {
      return { protectedActions: (await listProtectedActions(deps, ctx.principal, req)).map(toProtoAction) };
    },
    async stepUp(req, ctx: Ctx) {
      return { session: toProtoStepUp(await stepUp(deps, ctx.principal, req)) };
    },
    async checkStepUp(req, ctx: Ctx) {
      const r = await checkStepUp(deps, ctx.principal, req);
      return { active: Boolean(r.session), session: r.session && toProtoStepUp(r.session), requirement: r.session ? '' : r.requirement };
    },
    async batchCheck(req, ctx: Ctx) {
      const results = await batchCheck(deps, ctx.principal, { ...req, consistency: fromProtoConsistency(req.consistency) });
      return {
        results: results.map((r) => ({
          correlationId: r.correlationId,
          response: r.result && toProtoCheck(r.result),
          errorCode: r.error ? statusNameOf(r.error.kind) : '',
          errorMessage: r.error?.message ?? '',
        })),
      };
    },
    async listAccess(req, ctx: Ctx) {
      return listAccess(deps, ctx.principal, req);
    },
    async listApprovers(req, ctx: Ctx) {
      return { users: await listApprovers(deps, ctx.principal, req) };
    },
    async explain(req, ctx: Ctx) {
      const e = await explainAccess(deps, ctx.principal, req);
      return {
        decision: toProtoDecision(e.decision),
        reason: e.reason,
        modelId: e.modelId,
        policy: e.policy,
        facts: e.facts,
        grantStartsAt: e.grantWindow?.start,
        grantEndsAt: e.grantWindow?.end,
        matchedCondition: e.matchedCondition,
      };
    },
    async removeGrant(req, ctx: Ctx) {
      return removeGrant(deps, ctx.principal, req);
    },
    async writeGrant(req, ctx: Ctx) {
      const grant = await writeGrant(deps, ctx.principal, { ...req, durationSeconds: Number(req.durationSeconds) });
      return { grant: toProtoGrant(grant) };
    },
  };
}

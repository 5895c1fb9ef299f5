import { InvalidArgumentError, UnavailableError, statusNameOf, type AuthContext } from '@assent/platform';
import { approvalsv1 } from '@assent/proto';
import type { CallContext } from 'nice-grpc';
import { breakGlass, reviewBreakGlass } from '../../domain/commands/break-glass.js';
import { bulkAct, type BulkAction } from '../../domain/commands/bulk-act.js';
import { cancelRequest } from '../../domain/commands/cancel-request.js';
import { listInbox } from '../../domain/commands/list-inbox.js';
import { snoozeRequest } from '../../domain/commands/snooze-request.js';
import { setDelegation } from '../../domain/commands/set-delegation.js';
import { endDelegation } from '../../domain/commands/end-delegation.js';
import { listDelegations } from '../../domain/commands/list-delegations.js';
import { commentRequest } from '../../domain/commands/comment-request.js';
import { createRequest } from '../../domain/commands/create-request.js';
import { decideRequest } from '../../domain/commands/decide-request.js';
import { getPolicy } from '../../domain/commands/get-policy.js';
import { getRequest } from '../../domain/commands/get-request.js';
import { listRequests } from '../../domain/commands/list-requests.js';
import { putPolicy } from '../../domain/commands/put-policy.js';
import { reassignRequest } from '../../domain/commands/reassign-request.js';
import { revokeGrant } from '../../domain/commands/revoke-grant.js';
import { extendGrant } from '../../domain/commands/extend-grant.js';
import { resubmitRequest } from '../../domain/commands/resubmit-request.js';
import { simulateRequest } from '../../domain/commands/simulate-request.js';
import { watchRequest } from '../../domain/commands/watch-request.js';
import type { ApprovalsDeps } from '../../domain/ports.js';
import { fromProtoEdits, seconds, toProtoDelegation, fromProtoPolicy, fromProtoPreset, fromProtoState, fromProtoTab, toProtoPolicy, toProtoRequest } from './mapping.js';

const verdicts: Partial<Record<approvalsv1.BreakGlassVerdict, 'ACCEPTED' | 'CONCERN'>> = {
  [approvalsv1.BreakGlassVerdict.BREAK_GLASS_VERDICT_ACCEPTED]: 'ACCEPTED',
  [approvalsv1.BreakGlassVerdict.BREAK_GLASS_VERDICT_CONCERN]: 'CONCERN',
};

const bulkKinds: Partial<Record<approvalsv1.BulkActionKind, BulkAction['kind']>> = {
  [approvalsv1.BulkActionKind.BULK_ACTION_KIND_APPROVE]: 'APPROVE',
  [approvalsv1.BulkActionKind.BULK_ACTION_KIND_DECLINE]: 'DECLINE',
  [approvalsv1.BulkActionKind.BULK_ACTION_KIND_SNOOZE]: 'SNOOZE',
};

type Ctx = CallContext & AuthContext;

/**
 * Thin handlers: map proto → domain, call one command, map back. `stopping` aborts
 * open watch streams on shutdown (gRPC drain waits for every open call).
 */
export function approvalsService(deps: ApprovalsDeps, stopping: AbortSignal = new AbortController().signal): approvalsv1.ApprovalsServiceImplementation<AuthContext> {
  return {
    async putPolicy(req, ctx: Ctx) {
      return { policy: toProtoPolicy(await putPolicy(deps, ctx.principal, req.tenant, fromProtoPolicy(req.policy))) };
    },
    async getPolicy(req, ctx: Ctx) {
      return { policy: toProtoPolicy(await getPolicy(deps, ctx.principal, req)) };
    },
    async simulate(req, ctx: Ctx) {
      const sim = await simulateRequest(deps, ctx.principal, req);
      return {
        policy: toProtoPolicy(sim.policy),
        groups: sim.groups,
        timers: sim.timers.map((t) => ({ timer: t.timer, at: t.at, detail: t.detail })),
        timersTruncated: sim.timersTruncated,
      };
    },
    async createRequest(req, ctx: Ctx) {
      const r = await createRequest(deps, ctx.principal, {
        ...req,
        grantDurationSeconds: seconds('grant_duration_seconds', req.grantDurationSeconds),
        parameters: req.parameters,
        effectiveAt: req.effectiveAt,
      });
      return r.alreadyAllowed
        ? { request: undefined, alreadyAllowed: true, reason: r.reason }
        : { request: toProtoRequest(r.request), alreadyAllowed: false, reason: r.reason };
    },
    async getRequest(req, ctx: Ctx) {
      return { request: toProtoRequest(await getRequest(deps, ctx.principal, req)) };
    },
    async listRequests(req, ctx: Ctx) {
      const page = await listRequests(deps, ctx.principal, { ...req, state: fromProtoState(req.state) });
      return { requests: page.requests.map(toProtoRequest), nextPageToken: page.nextPageToken };
    },
    async *watchRequest(req, ctx: Ctx) {
      for await (const r of watchRequest(deps, ctx.principal, req, AbortSignal.any([ctx.signal, stopping]))) yield { request: toProtoRequest(r) };
      if (stopping.aborted && !ctx.signal.aborted) throw new UnavailableError('approvals is shutting down; watch again');
    },
    async approve(req, ctx: Ctx) {
      return { request: toProtoRequest(await decideRequest(deps, ctx.principal, { ...req, edits: fromProtoEdits(req.edits) }, 'APPROVE')) };
    },
    async decline(req, ctx: Ctx) {
      return { request: toProtoRequest(await decideRequest(deps, ctx.principal, req, 'DECLINE')) };
    },
    async requestChanges(req, ctx: Ctx) {
      return { request: toProtoRequest(await decideRequest(deps, ctx.principal, req, 'REQUEST_CHANGES')) };
    },
    async comment(req, ctx: Ctx) {
      return { request: toProtoRequest(await commentRequest(deps, ctx.principal, req)) };
    },
    async resubmit(req, ctx: Ctx) {
      return { request: toProtoRequest(await resubmitRequest(deps, ctx.principal, req)) };
    },
    async cancel(req, ctx: Ctx) {
      return { request: toProtoRequest(await cancelRequest(deps, ctx.principal, req)) };
    },
    async breakGlass(req, ctx: Ctx) {
      return { request: toProtoRequest(await breakGlass(deps, ctx.principal, req)) };
    },
    async reviewBreakGlass(req, ctx: Ctx) {
      const verdict = verdicts[req.verdict];
      return { request: toProtoRequest(await reviewBreakGlass(deps, ctx.principal, { tenant: req.tenant, id: req.id, verdict, reason: req.reason })) };
    },
    async revokeGrant(req, ctx: Ctx) {
      return { request: toProtoRequest(await revokeGrant(deps, ctx.principal, req)) };
    },
    async extendGrant(req, ctx: Ctx) {
      const r = await extendGrant(deps, ctx.principal, { ...req, extendBySeconds: seconds('extend_by_seconds', req.extendBySeconds) });
      return { request: toProtoRequest(r.request), extensionRequest: r.extensionRequest && toProtoRequest(r.extensionRequest) };
    },
    async reassign(req, ctx: Ctx) {
      return { request: toProtoRequest(await reassignRequest(deps, ctx.principal, req)) };
    },
    async snooze(req, ctx: Ctx) {
      return { request: toProtoRequest(await snoozeRequest(deps, ctx.principal, { tenant: req.tenant, id: req.id, preset: fromProtoPreset(req.preset), until: req.until })) };
    },
    async listInbox(req, ctx: Ctx) {
      const page = await listInbox(deps, ctx.principal, {
        tenant: req.tenant,
        tab: fromProtoTab(req.tab),
        filter: { action: req.action, requester: req.requester, overdueOnly: req.overdueOnly },
        pageSize: req.pageSize,
        pageToken: req.pageToken,
      });
      return {
        items: page.items.map((i) => ({ request: toProtoRequest(i.request), snoozedUntil: i.snoozedUntil, actedAt: i.actedAt })),
        nextPageToken: page.nextPageToken,
      };
    },
    async setDelegation(req, ctx: Ctx) {
      return { delegation: toProtoDelegation(await setDelegation(deps, ctx.principal, req)) };
    },
    async endDelegation(req, ctx: Ctx) {
      return { delegation: toProtoDelegation(await endDelegation(deps, ctx.principal, req)) };
    },
    async listDelegations(req, ctx: Ctx) {
      const { given, received } = await listDelegations(deps, ctx.principal, req);
      return { given: given.map(toProtoDelegation), received: received.map(toProtoDelegation) };
    },
    async bulkAct(req, ctx: Ctx) {
      const kind = bulkKinds[req.action];
      if (!kind) throw InvalidArgumentError.field('action', 'must be APPROVE, DECLINE or SNOOZE');
      const action: BulkAction = kind === 'SNOOZE' ? { kind, preset: fromProtoPreset(req.preset), until: req.until } : { kind, reason: req.reason, acknowledged: req.acknowledged };
      const results = await bulkAct(deps, ctx.principal, { tenant: req.tenant, ids: req.ids, action });
      return {
        results: results.map((r) => ({
          id: r.id,
          ok: !r.error,
          code: r.error ? statusNameOf(r.error.kind) : '',
          message: r.error?.message ?? '',
          request: r.request && toProtoRequest(r.request),
        })),
      };
    },
  };
}

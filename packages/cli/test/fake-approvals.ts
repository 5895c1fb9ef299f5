import { createServer, ServerError, Status, type CallContext } from 'nice-grpc';
import { BadRequest, errorDetailsServerMiddleware, RichServerError } from 'nice-grpc-error-details';
import { approvalsv1 } from '@assent/proto';

export interface SeenCall {
  method: string;
  authorization: string | undefined;
  request: unknown;
}

/**
 * A tiny in-memory ApprovalsService over real gRPC, enough to drive the CLI: it
 * records each call's authorization header and request so tests can assert what was sent.
 */
export async function startFakeApprovals() {
  const calls: SeenCall[] = [];
  const requests = new Map<string, approvalsv1.ApprovalRequest>();
  const delegations: approvalsv1.Delegation[] = [];
  const created = new Date('2025-01-02T03:04:05.000Z');
  let next = 1;
  const seen = (method: string, request: unknown, ctx: CallContext) => calls.push({ method, request, authorization: ctx.metadata.get('authorization') });
  const subjectOf = (ctx: CallContext): string => {
    const jwt = ctx.metadata.get('authorization')?.replace(/^Bearer /, '') ?? '';
    const payload = jwt.split('.')[1];
    return payload ? (JSON.parse(Buffer.from(payload, 'base64url').toString()) as { sub: string }).sub : jwt;
  };
  const find = (id: string): approvalsv1.ApprovalRequest => {
    const r = requests.get(id);
    if (!r) throw new ServerError(Status.NOT_FOUND, `request ${id} not found`);
    return r;
  };

  /** The request in `state`, with one more history entry when `outcome` is given. */
  const act = (id: string, state: approvalsv1.RequestState, who: string | undefined, outcome: approvalsv1.Outcome | undefined, comment: string) => {
    const r = find(id);
    const at = new Date(created.getTime() + 60_000);
    const votes = outcome === undefined ? r.votes : [...r.votes, { approver: who ?? '', outcome, comment, at, submission: r.submission || 1, eligibleFor: [] }];
    const next = approvalsv1.ApprovalRequest.fromPartial({ ...r, state, votes, revision: String(Number(r.revision) + 1) });
    requests.set(id, next);
    return next;
  };

  // Partial: an RPC the fake does not model answers UNIMPLEMENTED (see unimplemented below),
  // so a new RPC in the proto does not stop the CLI's tests from starting.
  const impl: Partial<approvalsv1.ApprovalsServiceImplementation> = {
    async putPolicy(req, ctx) {
      seen('putPolicy', req, ctx);
      return { policy: { ...req.policy, hash: 'f'.repeat(64) } };
    },
    async getPolicy(req, ctx) {
      seen('getPolicy', req, ctx);
      throw new ServerError(Status.NOT_FOUND, `no policy for ${req.action}`);
    },
    async simulate(req, ctx) {
      seen('simulate', req, ctx);
      const at = req.at ?? created;
      return {
        policy: approvalsv1.Policy.fromPartial({
          id: 'vendor-payout',
          action: req.action,
          requirements: [{ name: 'finance', approvers: ['group:finance-leads#member'], quorum: 1 }],
          grantDurationSeconds: '1800',
          schedule: { expireAfterSeconds: '180' },
          rerequestCooldownSeconds: '86400',
          maxRequestsPerDay: 3,
        }),
        groups: [{ subject: 'group:finance-leads#member', users: ['bob', 'erin'], truncated: false }],
        timers: [{ timer: 'expiry', at: new Date(at.getTime() + 180_000), detail: 'the request expires undecided' }],
        timersTruncated: false,
      };
    },
    async createRequest(req, ctx) {
      seen('createRequest', req, ctx);
      if (req.action === 'reports.read') return { alreadyAllowed: true, reason: 'active grant until 2025-01-02T04:04:05.000Z' };
      if (!req.justification) {
        throw new RichServerError(Status.INVALID_ARGUMENT, 'invalid request', [
          BadRequest.fromPartial({ fieldViolations: [{ field: 'justification', description: 'is required by policy payout-details-change' }] }),
        ]);
      }
      const id = `01JTESTREQUEST${String(next++).padStart(12, '0')}`;
      const r = approvalsv1.ApprovalRequest.fromPartial({
        id,
        tenant: req.tenant,
        action: req.action,
        resource: req.resource,
        requester: subjectOf(ctx),
        justification: req.justification,
        state: approvalsv1.RequestState.REQUEST_STATE_PENDING,
        policyId: 'payout-details-change',
        policyHash: 'ab'.repeat(32),
        approvers: ['user:bob', 'user:carol'],
        quorum: 1,
        createdAt: created,
        updatedAt: created,
        revision: '1',
      });
      requests.set(id, r);
      return { request: r };
    },
    async getRequest(req, ctx) {
      seen('getRequest', req, ctx);
      return { request: find(req.id) };
    },
    async listRequests(req, ctx) {
      seen('listRequests', req, ctx);
      const all = [...requests.values()].filter((r) => !req.state || r.state === req.state);
      return { requests: all, nextPageToken: all.length ? 'page-2' : '' };
    },
    async approve(req, ctx) {
      seen('approve', req, ctx);
      const r = find(req.id);
      const at = new Date(created.getTime() + 60_000);
      const approved = approvalsv1.ApprovalRequest.fromPartial({
        ...r,
        state: approvalsv1.RequestState.REQUEST_STATE_APPROVED,
        votes: [{ approver: `user:${subjectOf(ctx)}`, outcome: approvalsv1.Outcome.OUTCOME_APPROVE, comment: req.comment, at }],
        decidedAt: at,
        grantExpiresAt: new Date(at.getTime() + 3_600_000),
        revision: '2',
      });
      requests.set(r.id, approved);
      return { request: approved };
    },
    async decline(req, ctx) {
      seen('decline', req, ctx);
      throw new ServerError(Status.FAILED_PRECONDITION, `request ${req.id} is already decided`);
    },
    async requestChanges(req, ctx) {
      seen('requestChanges', req, ctx);
      return { request: act(req.id, approvalsv1.RequestState.REQUEST_STATE_CHANGES_REQUESTED, subjectOf(ctx), approvalsv1.Outcome.OUTCOME_REQUEST_CHANGES, req.comment) };
    },
    async comment(req, ctx) {
      seen('comment', req, ctx);
      return { request: act(req.id, approvalsv1.RequestState.REQUEST_STATE_PENDING, subjectOf(ctx), approvalsv1.Outcome.OUTCOME_COMMENT, req.comment) };
    },
    async resubmit(req, ctx) {
      seen('resubmit', req, ctx);
      const r = act(req.id, approvalsv1.RequestState.REQUEST_STATE_PENDING, undefined, undefined, '');
      const resubmitted = { ...r, justification: req.justification, submission: 2 };
      requests.set(r.id, resubmitted);
      return { request: resubmitted };
    },
    async cancel(req, ctx) {
      seen('cancel', req, ctx);
      const r = act(req.id, approvalsv1.RequestState.REQUEST_STATE_CANCELLED, undefined, undefined, '');
      const cancelled = { ...r, closedBy: subjectOf(ctx), closeReason: req.reason };
      requests.set(r.id, cancelled);
      return { request: cancelled };
    },
    async breakGlass(req, ctx) {
      seen('breakGlass', req, ctx);
      const r = act(req.id, approvalsv1.RequestState.REQUEST_STATE_APPROVED, subjectOf(ctx), approvalsv1.Outcome.OUTCOME_APPROVE, `break-glass: ${req.reason}`);
      const next = { ...r, breakGlass: { at: created, reason: req.reason, reviewedBy: '', reviewedAt: undefined, verdict: 0, reviewReason: '' } };
      requests.set(r.id, next);
      return { request: next };
    },
    async reviewBreakGlass(req, ctx) {
      seen('reviewBreakGlass', req, ctx);
      const r = find(req.id);
      const next = { ...r, breakGlass: r.breakGlass && { ...r.breakGlass, reviewedBy: subjectOf(ctx), reviewedAt: created, verdict: req.verdict, reviewReason: req.reason } };
      requests.set(r.id, next);
      return { request: next };
    },
    async revokeGrant(req, ctx) {
      seen('revokeGrant', req, ctx);
      const r = find(req.id);
      const next = { ...r, grantClosed: { kind: 'revoked', at: created, by: subjectOf(ctx), reason: req.reason } };
      requests.set(r.id, next);
      return { request: next };
    },
    async extendGrant(req, ctx) {
      seen('extendGrant', req, ctx);
      const r = find(req.id);
      const expiresAt = new Date(created.getTime() + 3_600_000 + Number(req.extendBySeconds) * 1000);
      const next = { ...r, grantExpiresAt: expiresAt, grantExtensions: [...r.grantExtensions, { at: created, seconds: req.extendBySeconds, reason: req.reason, requestId: '', expiresAt }] };
      requests.set(r.id, next);
      return { request: next, extensionRequest: undefined };
    },
    async reassign(req, ctx) {
      seen('reassign', req, ctx);
      const r = find(req.id);
      const next = { ...r, handoffs: [...r.handoffs, { from: subjectOf(ctx), to: req.to, at: created, reason: req.reason, requirements: ['approvers'] }] };
      requests.set(r.id, next);
      return { request: next };
    },
    async snooze(req, ctx) {
      seen('snooze', req, ctx);
      const r = find(req.id);
      const next = { ...r, snoozes: [{ user: subjectOf(ctx), until: req.until ?? new Date(created.getTime() + 3_600_000) }] };
      requests.set(r.id, next);
      return { request: next };
    },
    async listInbox(req, ctx) {
      seen('listInbox', req, ctx);
      const items = [...requests.values()].map((request) => ({ request, snoozedUntil: undefined, actedAt: undefined }));
      return { items: items.slice(0, 2), nextPageToken: items.length > 2 ? 'inbox-2' : '' };
    },
    async bulkAct(req, ctx) {
      seen('bulkAct', req, ctx);
      return {
        results: req.ids.map((id) =>
          requests.has(id)
            ? { id, ok: true, code: '', message: '', request: { ...find(id), state: approvalsv1.RequestState.REQUEST_STATE_APPROVED } }
            : { id, ok: false, code: 'NOT_FOUND', message: `request ${id} not found`, request: undefined },
        ),
      };
    },
    async setDelegation(req, ctx) {
      seen('setDelegation', req, ctx);
      if (!req.endsAt) {
        throw new RichServerError(Status.INVALID_ARGUMENT, 'invalid request', [BadRequest.fromPartial({ fieldViolations: [{ field: 'ends_at', description: 'is required: a delegation covers a date range' }] })]);
      }
      const by = subjectOf(ctx);
      const d = approvalsv1.Delegation.fromPartial({
        id: `01JTESTDELEGATION${String(delegations.length + 1).padStart(9, '0')}`,
        from: req.from || by,
        to: req.to,
        startsAt: req.startsAt ?? new Date(),
        endsAt: req.endsAt,
        reason: req.reason,
        createdBy: by,
        createdAt: created,
      });
      delegations.push(d);
      return { delegation: d };
    },
    async endDelegation(req, ctx) {
      seen('endDelegation', req, ctx);
      const from = req.from || subjectOf(ctx);
      const i = delegations.findIndex((d) => d.id === req.id && d.from === from);
      if (i < 0) throw new ServerError(Status.NOT_FOUND, `${from} has no delegation ${req.id}`);
      const ended = { ...(delegations[i] as approvalsv1.Delegation), endedAt: new Date(created.getTime() + 120_000), endedBy: subjectOf(ctx) };
      delegations[i] = ended;
      return { delegation: ended };
    },
    async listDelegations(req, ctx) {
      seen('listDelegations', req, ctx);
      const user = req.user || subjectOf(ctx);
      const keep = (d: approvalsv1.Delegation) => req.includeEnded || !d.endedAt;
      return { given: delegations.filter((d) => d.from === user && keep(d)), received: delegations.filter((d) => d.to === user && keep(d)) };
    },
    // eslint-disable-next-line require-yield -- the CLI does not watch yet
    async *watchRequest(req, ctx) {
      seen('watchRequest', req, ctx);
      throw new ServerError(Status.UNIMPLEMENTED, 'the fake does not watch');
    },
  };

  const server = createServer().use(errorDetailsServerMiddleware);
  server.add(approvalsv1.ApprovalsServiceDefinition, { ...unimplemented(), ...impl });
  const port = await server.listen('127.0.0.1:0');
  return { address: `127.0.0.1:${port}`, calls, stop: () => server.shutdown() };
}

/** Every RPC of the service, answering UNIMPLEMENTED (streams too). */
function unimplemented(): approvalsv1.ApprovalsServiceImplementation {
  const methods = Object.entries(approvalsv1.ApprovalsServiceDefinition.methods).map(([name, m]) => {
    const refuse = () => new ServerError(Status.UNIMPLEMENTED, `the fake does not implement ${m.name}`);
    return [
      name,
      m.responseStream
        ? // eslint-disable-next-line require-yield -- it only refuses
          async function* () {
            throw refuse();
          }
        : async () => {
            throw refuse();
          },
    ];
  });
  return Object.fromEntries(methods) as approvalsv1.ApprovalsServiceImplementation;
}

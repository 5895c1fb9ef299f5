import { actingForMetadata, fromClientError, type ActingChannel, type createGrpcClient } from '@assent/platform';
import { approvalsv1 } from '@assent/proto';
import type { ActingPerson, ApprovalsGateway, RequestForApprover } from '../../domain/ports.js';
import type { SlackApprovals, SlackDecision } from '../../domain/slack/interaction-ports.js';
import type { Outcome } from '../../domain/types.js';
import { toRequestView } from '../../transport/nats/mapping.js';

export type ApprovalsClient = ReturnType<typeof createGrpcClient<typeof approvalsv1.ApprovalsServiceDefinition>>;

/**
 * approvals over gRPC with the notifier's own service token plus the acting-for
 * headers (packages/platform auth/acting-for.ts): approvals treats the call as the
 * person's (their eligibility, their vote, never a step-up) and records the channel it
 * came by, this gateway's `channel` (one instance per channel: email pages, Slack).
 * Errors come back as the platform's domain errors; the client's deadline keeps a
 * Slack modal submission inside Slack's 3 s.
 */
export class GrpcApprovalsGateway implements ApprovalsGateway, SlackApprovals {
  constructor(
    private readonly client: ApprovalsClient,
    private readonly channel: ActingChannel,
  ) {}

  async getRequest(person: ActingPerson, requestId: string): Promise<RequestForApprover> {
    const res = await this.call(() => this.client.getRequest({ tenant: person.tenant, id: requestId }, this.as(person)));
    return view(res.request);
  }

  async decide(person: ActingPerson, requestId: string, decision: Outcome, reason: string, acknowledged: string[] = []): Promise<RequestForApprover> {
    const req = { tenant: person.tenant, id: requestId, comment: reason };
    const res =
      decision === 'APPROVE'
        ? await this.call(() => this.client.approve({ ...req, acknowledged }, this.as(person)))
        : await this.call(() => this.client.decline(req, this.as(person)));
    return view(res.request);
  }

  async act(person: ActingPerson, requestId: string, decision: SlackDecision, reason: string): Promise<void> {
    const req = { tenant: person.tenant, id: requestId, comment: reason };
    const opts = this.as(person);
    if (decision === 'APPROVE' || decision === 'DECLINE') await this.decide(person, requestId, decision, reason);
    else if (decision === 'REQUEST_CHANGES') await this.call(() => this.client.requestChanges(req, opts));
    else await this.call(() => this.client.comment(req, opts));
  }

  private as(person: ActingPerson) {
    return { metadata: actingForMetadata({ subject: person.principal, tenant: person.tenant, channel: this.channel }) };
  }

  private async call<R>(fn: () => Promise<R>): Promise<R> {
    try {
      return await fn();
    } catch (err) {
      throw fromClientError(err, 'approvals');
    }
  }
}

function view(r: approvalsv1.ApprovalRequest | undefined): RequestForApprover {
  return {
    request: toRequestView(r),
    state: approvalsv1.requestStateToJSON(r?.state ?? approvalsv1.RequestState.REQUEST_STATE_UNSPECIFIED).replace(/^REQUEST_STATE_/, ''),
    acknowledgements: (r?.acknowledgements ?? []).map((a) => ({ id: a.id, text: a.text })),
  };
}

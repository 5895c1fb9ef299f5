import { createGrpcClient, fromClientError, staticToken, type Channel } from '@assent/platform';
import { approvalsv1 } from '@assent/proto';
import type { ApprovalRequest, PortalApprovals } from '../../transport/http/portal/portal-ports.js';

/**
 * approvals over gRPC with the signed-in person's own access token (not the notifier's
 * identity plus acting-for): their roles and sign-in facts come with it, so a step-up
 * made with a strong sign-in counts. Errors come back as the platform's domain errors.
 */
export class GrpcPortalApprovals implements PortalApprovals {
  constructor(
    private readonly channel: Channel,
    private readonly deadlineMs: number,
  ) {}

  private client(token: string) {
    return createGrpcClient(approvalsv1.ApprovalsServiceDefinition, this.channel, staticToken(token), { deadlineMs: this.deadlineMs });
  }

  private async call<R>(fn: () => Promise<R>): Promise<R> {
    try {
      return await fn();
    } catch (err) {
      throw fromClientError(err, 'approvals');
    }
  }

  private async one(fn: () => Promise<{ request?: ApprovalRequest | undefined }>): Promise<ApprovalRequest> {
    const res = await this.call(fn);
    if (!res.request) throw new Error('approvals answered without the request');
    return res.request;
  }

  inbox(token: string, req: Partial<approvalsv1.ListInboxRequest>) {
    return this.call(() => this.client(token).listInbox(req));
  }
  get(token: string, tenant: string, id: string) {
    return this.one(() => this.client(token).getRequest({ tenant, id }));
  }
  approve(token: string, req: approvalsv1.ApproveRequest) {
    return this.one(() => this.client(token).approve(req));
  }
  decline(token: string, req: approvalsv1.DeclineRequest) {
    return this.one(() => this.client(token).decline(req));
  }
  requestChanges(token: string, req: approvalsv1.RequestChangesRequest) {
    return this.one(() => this.client(token).requestChanges(req));
  }
  comment(token: string, req: approvalsv1.CommentRequest) {
    return this.one(() => this.client(token).comment(req));
  }
  reassign(token: string, req: approvalsv1.ReassignRequest) {
    return this.one(() => this.client(token).reassign(req));
  }
  snooze(token: string, req: approvalsv1.SnoozeRequest) {
    return this.one(() => this.client(token).snooze(req));
  }
  bulk(token: string, req: approvalsv1.BulkActRequest) {
    return this.call(() => this.client(token).bulkAct(req));
  }
}

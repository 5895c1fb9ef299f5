import { FailedPreconditionError, NotFoundError, PermissionDeniedError } from '@assent/platform/domain';
import type { ActingPerson, ApprovalsGateway, RequestForApprover } from '../../domain/ports.js';
import type { Outcome } from '../../domain/types.js';

/**
 * In-memory twin of approvals as the email pages use it: named approvers may see
 * and decide a pending request once; the first approval or decline decides it.
 * Records every decide call, so tests can tell that opening a page decided nothing.
 */
export class MemoryApprovalsGateway implements ApprovalsGateway {
  readonly calls: { person: ActingPerson; requestId: string; decision: Outcome; reason: string; acknowledged: string[] }[] = [];
  private readonly requests = new Map<string, RequestForApprover>();

  put(r: RequestForApprover): void {
    this.requests.set(`${r.request.tenant}|${r.request.id}`, structuredClone(r));
  }

  async getRequest(person: ActingPerson, requestId: string): Promise<RequestForApprover> {
    return structuredClone(this.find(person, requestId));
  }

  async decide(person: ActingPerson, requestId: string, decision: Outcome, reason: string, acknowledged: string[]): Promise<RequestForApprover> {
    const r = this.find(person, requestId);
    this.calls.push({ person, requestId, decision, reason, acknowledged });
    if (r.state !== 'PENDING') throw new FailedPreconditionError(`request ${requestId} is ${r.state}, not PENDING`);
    if (decision === 'APPROVE' && r.request.requireStepUpToApprove) throw new FailedPreconditionError('approving this request needs a step-up session', 'STEP_UP_REQUIRED');
    r.request.votes.push({ approver: person.principal, outcome: decision, onBehalfOf: '' });
    r.state = decision === 'APPROVE' ? 'APPROVED' : 'DECLINED';
    return structuredClone(r);
  }

  private find(person: ActingPerson, requestId: string): RequestForApprover {
    const r = this.requests.get(`${person.tenant}|${requestId}`);
    if (!r) throw new NotFoundError('request', requestId);
    if (!r.request.approvers.includes(`user:${person.principal}`)) throw new PermissionDeniedError(`${person.principal} is not an approver of request ${requestId}`);
    return r;
  }
}

import { actingForMetadata, fromClientError } from '@assent/platform';
import type { SlackApprovals, SlackDecision } from '../../domain/slack/interaction-ports.js';
import type { ApprovalsClient } from './approvals-gateway.js';

/**
 * Decisions from Slack: approvals called with the notifier's token plus the acting-for
 * headers (channel `slack`), so the vote is the mapped person's and says it came by
 * Slack. The client's deadline keeps a modal submission inside Slack's 3 s.
 */
export class GrpcSlackApprovals implements SlackApprovals {
  constructor(private readonly client: ApprovalsClient) {}

  async act(person: { tenant: string; principal: string }, requestId: string, decision: SlackDecision, reason: string): Promise<void> {
    const req = { tenant: person.tenant, id: requestId, comment: reason };
    const opts = { metadata: actingForMetadata({ subject: person.principal, tenant: person.tenant, channel: 'slack' }) };
    try {
      if (decision === 'APPROVE') await this.client.approve(req, opts);
      else if (decision === 'DECLINE') await this.client.decline(req, opts);
      else if (decision === 'REQUEST_CHANGES') await this.client.requestChanges(req, opts);
      else await this.client.comment(req, opts);
    } catch (err) {
      throw fromClientError(err, 'approvals');
    }
  }
}

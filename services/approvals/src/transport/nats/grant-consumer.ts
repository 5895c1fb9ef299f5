import { eventConsumerNames, parseEvent, PoisonMessageError, type RunningConsumer, type ServiceRuntime, startConsumer } from '@assent/platform';
import { eventsv1, approvalsv1 } from '@assent/proto';
import { applyGrant } from '../../domain/commands/apply-grant.js';
import type { ApprovalsDeps } from '../../domain/ports.js';

export const GRANT_CONSUMER = eventConsumerNames.approvalsGrants;

/**
 * assent.approval.decided.v1 (approved) → write the grant. Durable, so a grant is
 * never skipped; concurrent, so a burst of approvals does not queue grants behind
 * each other.
 */
export function startGrantConsumer(rt: ServiceRuntime, deps: ApprovalsDeps): Promise<RunningConsumer> {
  return startConsumer({
    nats: rt.nats,
    names: rt.names,
    logger: rt.logger,
    metrics: rt.metrics,
    stream: rt.names.eventsStream,
    durable: GRANT_CONSUMER,
    filterSubject: `${rt.names.root}.evt.*.approval.decided`,
    // Grants for different requests are independent; one request has one decided event.
    // No deduper: applyGrant is idempotent (it returns once the grant is recorded).
    concurrency: 64,
    handle: async (msg) => {
      let decided: eventsv1.ApprovalDecided;
      let tenant: string;
      try {
        const event = parseEvent(msg.data);
        tenant = event.tenantid;
        decided = eventsv1.ApprovalDecided.fromJSON(event.data);
      } catch (err) {
        throw new PoisonMessageError(`malformed decided event: ${(err as Error).message}`);
      }
      if (decided.outcome !== approvalsv1.Outcome.OUTCOME_APPROVE || !decided.request?.id) return;
      await applyGrant(deps, tenant, decided.request.id);
    },
  });
}

import { UnavailableError, newEvent, type EventPublisher } from '@assent/platform';
import { eventsv1 } from '@assent/proto';
import type { SlackAttemptAudit } from '../../domain/slack/interaction-ports.js';

export const interactionRefusedType = 'assent.notifier.interaction_refused.v1';

/**
 * A refused attempt from Slack (an unmapped user, another workspace) as an event on
 * the stream, which audit records like every other; acknowledged by JetStream before
 * the person is answered, so no refusal goes unrecorded.
 */
export class NatsSlackAttemptAudit implements SlackAttemptAudit {
  constructor(private readonly publisher: EventPublisher) {}

  async refused(a: Parameters<SlackAttemptAudit['refused']>[0]): Promise<void> {
    const data = eventsv1.NotifierInteractionRefused.toJSON({
      tenant: a.tenant,
      requestId: a.requestId,
      channel: 'slack',
      externalTeam: a.slackTeam,
      externalUser: a.slackUser,
      attempted: a.decision,
      reason: a.reason,
    });
    try {
      await this.publisher.publish(newEvent({ type: interactionRefusedType, service: 'notifier', subject: `request/${a.requestId}`, tenant: a.tenant, data }));
    } catch (err) {
      throw new UnavailableError('event stream unavailable; the refused attempt was not recorded', { cause: err });
    }
  }
}

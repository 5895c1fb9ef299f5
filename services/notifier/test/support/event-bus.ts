import { Kvm } from '@nats-io/kv';
import { EventPublisher, connectNats, createLogger, encodeEvent, names, newEvent, type AssentEvent, type Nats } from '@assent/platform';
import { approvalsv1, eventsv1 } from '@assent/proto';
import { testEnv } from '@assent/testkit';
import { CONSUMER } from '../../src/transport/nats/event-consumer.js';

/** Publishes approval events the way the approvals service does, and watches the notifier consume them. */
export async function openEventBus(root: string) {
  const nats: Nats = await connectNats(testEnv.natsUrl, 'notifier-test', createLogger('test', 'silent'));
  const n = names(root);
  const publisher = new EventPublisher(nats.js, n);

  const request = (id: string, overrides: Partial<approvalsv1.ApprovalRequest> = {}) =>
    approvalsv1.ApprovalRequest.fromPartial({
      id,
      tenant: 'acme',
      action: 'payouts.change_details',
      resource: 'payout-account/42',
      requester: 'alice',
      justification: 'Vendor moved banks <!channel>',
      state: approvalsv1.RequestState.REQUEST_STATE_PENDING,
      policyId: 'payout-details-change',
      policyHash: 'a'.repeat(64),
      approvers: ['user:bob', 'user:carol'],
      quorum: 1,
      createdAt: new Date(),
      ...overrides,
    });

  return {
    nats,
    requested: (id: string, slackChannel: string): AssentEvent =>
      newEvent({ type: 'assent.approval.requested.v1', service: 'approvals', subject: `request/${id}`, tenant: 'acme', data: eventsv1.ApprovalRequested.toJSON({ request: request(id), slackChannel }) }),
    decided: (id: string, outcome: approvalsv1.Outcome, decidedBy: string): AssentEvent =>
      newEvent({
        type: 'assent.approval.decided.v1',
        service: 'approvals',
        subject: `request/${id}`,
        tenant: 'acme',
        data: eventsv1.ApprovalDecided.toJSON(eventsv1.ApprovalDecided.fromPartial({ request: request(id, { state: approvalsv1.RequestState.REQUEST_STATE_APPROVED, decidedAt: new Date() }), outcome, decidedBy })),
      }),
    publish: (event: AssentEvent) => publisher.publish(event),
    /** The same event stored again under another message id: what a redelivery looks like once JetStream and Redis dedupe are past. */
    async republish(event: AssentEvent): Promise<number> {
      const ack = await nats.js.publish(publisher.subjectFor(event), encodeEvent(event), { msgID: `again-${event.id}` });
      return ack.seq;
    },
    /** Resolves once the notifier consumer has finished (acked or parked) everything up to `seq`. */
    async consumed(seq: number, timeoutMs = 15_000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const info = await nats.jsm.consumers.info(n.eventsStream, CONSUMER);
        // Delivered and nothing outstanding; a terminated (parked) message does not always move the ack floor.
        if (info.delivered.stream_seq >= seq && info.num_ack_pending === 0 && info.num_redelivered === 0) return;
        if (Date.now() > deadline) {
          throw new Error(`notifier did not consume up to seq ${seq}: ${JSON.stringify({ delivered: info.delivered, ackFloor: info.ack_floor, pending: info.num_ack_pending, redelivered: info.num_redelivered })}`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async lastParked(): Promise<Record<string, string> | undefined> {
      const msg = await nats.jsm.streams.getMessage(n.dlqStream, { last_by_subj: n.dlq(CONSUMER) }).catch(() => null);
      if (!msg?.header) return undefined;
      return Object.fromEntries(msg.header.keys().map((k) => [k, msg.header.get(k)]));
    },
    /** Waits until the notifier parked this event in the DLQ; answers the DLQ headers. */
    async parked(eventId: string, timeoutMs = 15_000): Promise<Record<string, string>> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const h = await this.lastParked();
        if (h?.['ce-id'] === eventId) return h;
        if (Date.now() > deadline) throw new Error(`event ${eventId} was not parked`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async close(): Promise<void> {
      // KV streams are named KV_<bucket>, which cleanupNats(root) does not match.
      await (await new Kvm(nats.nc).open(`${root.toUpperCase()}_notifier_notifications`)).destroy().catch(() => undefined);
      await nats.drain();
    },
  };
}

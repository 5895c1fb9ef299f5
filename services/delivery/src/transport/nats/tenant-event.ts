import { PoisonMessageError, parseEvent, patterns, type AssentEvent, type Names } from '@assent/platform';
import type { JsMsg } from '@nats-io/jetstream';

/** The tenant token of `<root>.evt.<tenant>.…` (what the subject says; not yet checked against the event). */
export const subjectTenant = (msg: JsMsg, names: Names): string => msg.subject.slice(names.root.length + 1).split('.')[1] ?? '';

/**
 * The CloudEvent of a message on `<root>.evt.<tenant>.<domain>.<event>`. The subject
 * and the event must agree on the tenant, or one tenant's event could reach another
 * tenant's endpoints or stream; a message that is not such an event is parked.
 */
export function tenantEventOf(msg: JsMsg, names: Names): AssentEvent {
  let event;
  try {
    event = parseEvent(msg.data);
  } catch (err) {
    throw new PoisonMessageError(`not a valid CloudEvent: ${(err as Error).message}`, { cause: err });
  }
  if (!patterns.tenant.test(event.tenantid) || subjectTenant(msg, names) !== event.tenantid) {
    throw new PoisonMessageError(`event tenant "${event.tenantid}" does not match subject ${msg.subject}`);
  }
  return event;
}

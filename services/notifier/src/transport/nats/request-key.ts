import type { JsMsg } from '@nats-io/jetstream';

/**
 * The notifier's order key, `<tenant>/<CloudEvent subject>` (e.g. `acme/request/01J…`):
 * a request's events are handled one at a time, so its post always precedes its update.
 * The tenant comes from the NATS subject `<root>.evt.<tenant>.<domain>.<event>`, the
 * CloudEvent subject from the `ce-subject` header, or from the payload of an event
 * published without it. Throws for a message with neither (the handler parks it).
 */
export function requestKey(root: string, msg: Pick<JsMsg, 'subject' | 'headers' | 'data'>): string {
  const tenant = msg.subject.slice(root.length + 1).split('.')[1] ?? '';
  const subject = msg.headers?.get('ce-subject') || subjectOf(msg.data);
  return `${tenant}/${subject}`;
}

function subjectOf(data: Uint8Array): string {
  const subject = (JSON.parse(new TextDecoder().decode(data)) as { subject?: unknown }).subject;
  if (typeof subject !== 'string' || !subject) throw new Error('event has no subject');
  return subject;
}

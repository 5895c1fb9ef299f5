import type { RecordActor } from './types.js';

/** Subjects of service identities: "service:<name>" (dev issuer) and Kubernetes ServiceAccounts. */
const SERVICE_SUBJECT = /^(service:|system:serviceaccount:)/;

const actor = (type: RecordActor['type'], id: string): RecordActor => ({ type, id, ip: '', userAgent: '' });

/** A principal named by an event (a token subject): a service identity, else a person. */
export const principalActor = (id: string): RecordActor => actor(SERVICE_SUBJECT.test(id) ? 'service' : 'user', id);

/** The emitting service acting on its own (a timer, a reaction): named by its CloudEvents source. */
export const systemActor = (source: string): RecordActor => actor('system', source);

/** An identity Assent does not know, e.g. "slack:T1/U9" (a chat user that is not mapped to a person). */
export const externalActor = (id: string): RecordActor => actor('external', id);

/** The principal when the event names one, else the emitting service. */
export const actorOr = (id: string | undefined, source: string): RecordActor => (id ? principalActor(id) : systemActor(source));

/** An actor known only by its recorded id (a format-1 record): a CloudEvents source is the emitting service. */
export const actorOfId = (id: string): RecordActor => (id.startsWith('/assent/') ? systemActor(id) : principalActor(id));

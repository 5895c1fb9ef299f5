import { Metadata } from 'nice-grpc';
import { InvalidArgumentError, PermissionDeniedError, type FieldViolation } from '../errors.js';
import { describe, patterns } from '../validation.js';
import type { ActingChannel, Principal } from './principal.js';

/**
 * A channel service (the notifier) that has verified a person itself (a signed Slack
 * request from a mapped user, a signed email link, a portal session) calls for that
 * person with its own token plus these headers. The server turns the call into the
 * person's: kind `user`, that tenant, no roles, no sign-in facts (so nothing that needs
 * a step-up can be done this way), and `via` naming the service and channel.
 */
export const ACTING_FOR_HEADER = 'assent-acting-for';
export const ACTING_TENANT_HEADER = 'assent-acting-tenant';
export const ACTING_CHANNEL_HEADER = 'assent-acting-channel';

export const ACTING_CHANNELS: readonly ActingChannel[] = ['slack', 'email', 'portal'];

export interface ActingFor {
  /** The person's subject, as their own token would name them (`alice`, `okta:alice`). */
  subject: string;
  tenant: string;
  channel: ActingChannel;
}

/** Client side: the metadata a channel service sends to act for a person. */
export function actingForMetadata(a: ActingFor): Metadata {
  const checked = parseActingFor(a);
  return Metadata({ [ACTING_FOR_HEADER]: checked.subject, [ACTING_TENANT_HEADER]: checked.tenant, [ACTING_CHANNEL_HEADER]: checked.channel });
}

const isChannel = (v: string): v is ActingChannel => ACTING_CHANNELS.some((c) => c === v);

/** Validates the three values, naming each bad header (INVALID_ARGUMENT); a partial set is malformed too. */
export function parseActingFor(a: { subject: string | undefined; tenant: string | undefined; channel: string | undefined }): ActingFor {
  const problems: FieldViolation[] = [];
  const check = (header: string, value: string | undefined, ok: (v: string) => boolean, description: string): value is string => {
    if (value === undefined || value === '') problems.push({ field: header, description: `is required with the other ${ACTING_FOR_HEADER} headers` });
    else if (!ok(value)) problems.push({ field: header, description });
    else return true;
    return false;
  };
  const { subject, tenant, channel } = a;
  const okSubject = check(ACTING_FOR_HEADER, subject, (v) => patterns.user.test(v), `${describe.user} (a person's subject)`);
  const okTenant = check(ACTING_TENANT_HEADER, tenant, (v) => patterns.tenant.test(v), describe.tenant);
  const okChannel = check(ACTING_CHANNEL_HEADER, channel, isChannel, `must be one of ${ACTING_CHANNELS.join(', ')}`);
  if (!okSubject || !okTenant || !okChannel || !isChannel(channel)) throw new InvalidArgumentError(problems);
  return { subject, tenant, channel };
}

/** Reads one metadata value; a repeated header is as malformed as a bad one. */
function single(getAll: (key: string) => string[], header: string): string | undefined {
  const values = getAll(header);
  if (values.length > 1) throw InvalidArgumentError.field(header, 'must be sent once');
  return values[0];
}

/**
 * Server side: the principal a call is made as. Without the headers, the caller.
 * With them, the person, when the caller is a service on `channelServices`
 * (subjects); anyone else sending them is refused (PERMISSION_DENIED), and acting
 * for a service is malformed.
 */
export function actingPrincipal(
  caller: Principal,
  getAll: (key: string) => string[],
  opts: { channelServices: ReadonlySet<string>; serviceSubjects: ReadonlySet<string> },
): Principal {
  const subject = single(getAll, ACTING_FOR_HEADER);
  const tenant = single(getAll, ACTING_TENANT_HEADER);
  const channel = single(getAll, ACTING_CHANNEL_HEADER);
  if (subject === undefined && tenant === undefined && channel === undefined) return caller;
  if (caller.kind !== 'service' || !opts.channelServices.has(caller.subject)) {
    throw new PermissionDeniedError(`${caller.subject} may not act for someone else (${ACTING_FOR_HEADER}): only channel services may, after verifying the person`);
  }
  const person = parseActingFor({ subject, tenant, channel });
  if (opts.serviceSubjects.has(person.subject)) throw InvalidArgumentError.field(ACTING_FOR_HEADER, 'must name a person, not a service');
  const roles: string[] = [];
  Object.freeze(roles);
  // No `authentication`: the channel vouches for who the person is, not for a fresh strong sign-in.
  return Object.freeze({ subject: person.subject, kind: 'user', tenant: person.tenant, roles, authentication: undefined, via: Object.freeze({ service: caller.subject, channel: person.channel }) });
}

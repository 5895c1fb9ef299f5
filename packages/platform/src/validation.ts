import { InvalidArgumentError, type FieldViolation } from './errors.js';

/** Identifier shapes shared by every service (they end up in NATS subjects, Redis keys and OpenFGA ids). */
export const patterns = {
  tenant: /^[a-z][a-z0-9-]{1,62}$/,
  action: /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/,
  resource: /^[A-Za-z0-9][A-Za-z0-9._\-/]{0,254}$/,
  // Optionally namespaced by its issuer (`okta:alice`; see IssuerRights.prefix).
  user: /^(?:[a-z0-9][a-z0-9.-]{0,62}:)?[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$/,
  id: /^[0-9A-HJKMNP-TV-Z]{26}$/,
  group: /^[a-z0-9][a-z0-9._-]{0,127}$/,
  // An approver entry: a user (optionally issuer-namespaced) or a group's members.
  approver: /^(user:(?:[a-z0-9][a-z0-9.-]{0,62}:)?[A-Za-z0-9][A-Za-z0-9._@-]{0,127}|group:[a-z0-9][a-z0-9._-]{0,127}#member)$/,
};

export const describe = {
  tenant: 'must be 2-63 lowercase letters, digits or "-", starting with a letter',
  action: 'must be dotted lowercase words, e.g. "payouts.change_details"',
  resource: 'must be 1-255 letters, digits, ".", "_", "-" or "/"',
  user: 'must be 1-128 letters, digits, ".", "_", "@" or "-", optionally after its issuer\'s namespace and ":"',
  id: 'must be a 26-character ULID',
  group: 'must be 1-128 lowercase letters, digits, ".", "_" or "-"',
  approver: 'must be "user:<id>" or "group:<id>#member"',
};

/** Collects field violations and throws them together as one InvalidArgumentError. */
export class Violations {
  private readonly list: FieldViolation[] = [];

  add(field: string, description: string): this {
    this.list.push({ field, description });
    return this;
  }

  /** Records a violation unless value matches the named pattern. */
  check(field: string, value: string, kind: keyof typeof patterns, required = true): this {
    if (!value) {
      if (required) this.add(field, 'is required');
    } else if (!patterns[kind].test(value)) {
      this.add(field, describe[kind]);
    }
    return this;
  }

  throwIfAny(): void {
    if (this.list.length) throw new InvalidArgumentError([...this.list]);
  }
}

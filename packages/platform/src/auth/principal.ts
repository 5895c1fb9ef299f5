/** The authenticated caller of an RPC. */
export interface Principal {
  /** Token subject, e.g. "alice", "service:approvals", "system:serviceaccount:assent:approvals". */
  subject: string;
  /** Services act for any tenant, so only subjects on the trusted list are services. */
  kind: 'user' | 'service';
  /** Tenant a user token is bound to; services act for any tenant. */
  tenant: string | undefined;
  roles: string[];
  /**
   * How the person signed in, from the token (OIDC `auth_time`, `acr`, `amr`), when
   * the issuer says: what a step-up (a fresh strong sign-in) is judged on.
   */
  authentication?: { time: Date | undefined; acr: string | undefined; amr: readonly string[] } | undefined;
  /**
   * Set when a channel service made the call for this person (see acting-for.ts): the
   * service's subject and the channel it verified the person on. Recorded with what
   * they do; such a principal never carries `authentication`.
   */
  via?: { service: string; channel: ActingChannel } | undefined;
}

/** Where a channel service verified the person it acts for. */
export type ActingChannel = 'slack' | 'email' | 'portal';

/** Service identities of a local run (dev issuer); Kubernetes lists its ServiceAccounts instead. */
export const defaultServiceSubjects = ['approvals', 'authz', 'audit', 'delivery', 'notifier'].map((s) => `service:${s}`);

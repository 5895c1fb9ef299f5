/** The authenticated caller of an RPC. */
export interface Principal {
  /** Token subject, e.g. "alice", "service:approvals", "system:serviceaccount:assent:approvals". */
  subject: string;
  /** Services act for any tenant, so only subjects on the trusted list are services. */
  kind: 'user' | 'service';
  /** Tenant a user token is bound to; services act for any tenant. */
  tenant: string | undefined;
  roles: string[];
}

/** Service identities of a local run (dev issuer); Kubernetes lists its ServiceAccounts instead. */
export const defaultServiceSubjects = ['approvals', 'authz', 'audit', 'delivery', 'notifier'].map((s) => `service:${s}`);

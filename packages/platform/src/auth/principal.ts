/** The authenticated caller of an RPC. */
export interface Principal {
  /** Token subject, e.g. "alice", "service:approvals", "system:serviceaccount:assent:approvals". */
  subject: string;
  kind: 'user' | 'service';
  /** Tenant a user token is bound to; services act for any tenant. */
  tenant: string | undefined;
  roles: string[];
}

export function isService(subject: string): boolean {
  return subject.startsWith('service:') || subject.startsWith('system:serviceaccount:');
}

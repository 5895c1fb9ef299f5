import type { ApprovalRequest } from '../../domain/types.js';

/** JSON form stored on the request's state subject. */
export type RequestJson = Omit<ApprovalRequest, 'createdAt' | 'updatedAt' | 'decidedAt' | 'grantExpiresAt' | 'votes'> & {
  createdAt: string;
  updatedAt: string;
  decidedAt?: string;
  grantExpiresAt?: string;
  votes: { approver: string; outcome: 'APPROVE' | 'DECLINE'; comment: string; at: string }[];
};

export const toJson = (r: ApprovalRequest): RequestJson => ({
  ...r,
  createdAt: r.createdAt.toISOString(),
  updatedAt: r.updatedAt.toISOString(),
  decidedAt: r.decidedAt?.toISOString(),
  grantExpiresAt: r.grantExpiresAt?.toISOString(),
  votes: r.votes.map((v) => ({ ...v, at: v.at.toISOString() })),
});

export const fromJson = (j: RequestJson): ApprovalRequest => ({
  ...j,
  createdAt: new Date(j.createdAt),
  updatedAt: new Date(j.updatedAt),
  decidedAt: j.decidedAt ? new Date(j.decidedAt) : undefined,
  grantExpiresAt: j.grantExpiresAt ? new Date(j.grantExpiresAt) : undefined,
  votes: j.votes.map((v) => ({ ...v, at: new Date(v.at) })),
});

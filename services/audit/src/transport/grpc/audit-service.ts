import type { AuthContext } from '@assent/platform';
import type { auditv1 } from '@assent/proto';
import type { CallContext } from 'nice-grpc';
import { listRecords } from '../../domain/commands/list-records.js';
import { verifyChain } from '../../domain/commands/verify-chain.js';
import type { AuditDeps } from '../../domain/ports.js';
import { toProtoRecord, toProtoVerification } from './mapping.js';

type Ctx = CallContext & AuthContext;

/** Thin handlers: map proto → domain, call one command, map back. */
export function auditService(deps: AuditDeps): auditv1.AuditServiceImplementation<AuthContext> {
  return {
    async listRecords(req, ctx: Ctx) {
      const page = await listRecords(deps, ctx.principal, req);
      return { records: page.records.map(toProtoRecord), nextPageToken: page.nextPageToken };
    },
    async verifyChain(req, ctx: Ctx) {
      return toProtoVerification(await verifyChain(deps, ctx.principal, req));
    },
  };
}

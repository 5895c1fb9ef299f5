import type { AuthContext } from '@assent/platform';
import type { auditv1 } from '@assent/proto';
import type { CallContext } from 'nice-grpc';
import { createCheckpoint } from '../../domain/commands/create-checkpoint.js';
import { listRecords } from '../../domain/commands/list-records.js';
import { listSigningKeys } from '../../domain/commands/list-signing-keys.js';
import { queryRecords } from '../../domain/commands/query-records.js';
import { verifyChain } from '../../domain/commands/verify-chain.js';
import type { ExportDeps } from '../../domain/export/export-ports.js';
import { exportHandlers } from './export-handlers.js';
import { toProtoCheckpoint, toProtoRecord, toProtoSigningKey, toProtoVerification } from './mapping.js';

type Ctx = CallContext & AuthContext;

/** Thin handlers: map proto → domain, call one command, map back. `exportCreated` wakes this replica's export worker. */
export function auditService(deps: ExportDeps, exportCreated?: () => void): auditv1.AuditServiceImplementation<AuthContext> {
  return {
    ...exportHandlers(deps, exportCreated),
    async listRecords(req, ctx: Ctx) {
      const page = await listRecords(deps, ctx.principal, req);
      return { records: page.records.map(toProtoRecord), nextPageToken: page.nextPageToken };
    },
    async queryRecords(req, ctx: Ctx) {
      const page = await queryRecords(deps, ctx.principal, req);
      return { records: page.records.map(toProtoRecord), nextPageToken: page.nextPageToken, previousPageToken: page.previousPageToken, since: page.since, until: page.until };
    },
    async verifyChain(req, ctx: Ctx) {
      return toProtoVerification(await verifyChain(deps, ctx.principal, req));
    },
    async createCheckpoint(req, ctx: Ctx) {
      const { checkpoint, created } = await createCheckpoint(deps, ctx.principal, req);
      return { checkpoint: toProtoCheckpoint(checkpoint), created };
    },
    async listSigningKeys() {
      return { keys: listSigningKeys(deps).map(toProtoSigningKey) };
    },
  };
}

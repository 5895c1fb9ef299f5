import type { AuthContext } from '@assent/platform';
import type { auditv1 } from '@assent/proto';
import type { CallContext } from 'nice-grpc';
import { createExport } from '../../domain/commands/create-export.js';
import { downloadExport } from '../../domain/commands/download-export.js';
import { getExport } from '../../domain/commands/get-export.js';
import { listExports } from '../../domain/commands/list-exports.js';
import type { ExportDeps } from '../../domain/export/export-ports.js';
import { fromProtoFormat, toProtoExportJob } from './export-mapping.js';

type Ctx = CallContext & AuthContext;
type ExportMethods = Pick<auditv1.AuditServiceImplementation<AuthContext>, 'createExport' | 'getExport' | 'listExports' | 'downloadExport'>;

/** Thin handlers of the export RPCs; `created` tells this replica's worker a job is waiting. */
export function exportHandlers(deps: ExportDeps, created: () => void = () => undefined): ExportMethods {
  return {
    async createExport(req, ctx: Ctx) {
      const job = await createExport(deps, ctx.principal, { ...req, format: fromProtoFormat(req.format) });
      created();
      return { job: toProtoExportJob(job) };
    },
    async getExport(req, ctx: Ctx) {
      return { job: toProtoExportJob(await getExport(deps, ctx.principal, req)) };
    },
    async listExports(req, ctx: Ctx) {
      return { jobs: (await listExports(deps, ctx.principal, req)).map(toProtoExportJob) };
    },
    async *downloadExport(req, ctx: Ctx) {
      const { chunks } = await downloadExport(deps, ctx.principal, req);
      let offset = 0;
      for await (const data of chunks) {
        yield { data: Buffer.from(data.buffer, data.byteOffset, data.byteLength), offset: String(offset) };
        offset += data.length;
      }
    },
  };
}

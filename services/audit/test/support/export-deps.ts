import { recordHash } from '@assent/platform/domain';
import { MemoryExportFiles } from '../../src/adapters/memory/export-files.js';
import { MemoryExportJobs } from '../../src/adapters/memory/export-jobs.js';
import type { ExportDeps } from '../../src/domain/export/export-ports.js';
import type { AuditLog } from '../../src/domain/ports.js';
import type { AuditRecord } from '../../src/domain/types.js';
import { memoryDeps } from './deps.js';

/** Memory twins for export jobs on top of memoryDeps (fake clock, tenants acme, globex, initech). */
export function memoryExportDeps(): ExportDeps & ReturnType<typeof memoryDeps> & { jobs: MemoryExportJobs; files: MemoryExportFiles } {
  let n = 0;
  return { ...memoryDeps(), jobs: new MemoryExportJobs(), files: new MemoryExportFiles(), newId: () => `01JEXPORT${String(++n).padStart(17, '0')}` };
}

/**
 * Appends `count` records to the tenant's chain, `recordedAt` one minute apart from
 * `start`, event types alternating requested/decided, in appends of up to 100.
 */
export async function appendRecords(log: AuditLog, tenant: string, count: number, start = new Date('2030-01-01T00:00:00.000Z')): Promise<AuditRecord[]> {
  const all: AuditRecord[] = [];
  let prev = await log.head(tenant);
  for (let done = 0; done < count; ) {
    const batch: AuditRecord[] = [];
    const from = prev?.sequence ?? 0;
    for (; done < count && batch.length < 100; done++) {
      const sequence = (prev?.sequence ?? 0) + 1;
      const at = new Date(start.getTime() + (sequence - 1) * 60_000);
      const unsealed = {
        tenant,
        sequence,
        eventId: `evt-${tenant}-${sequence}`,
        eventType: sequence % 2 ? 'assent.approval.requested.v1' : 'assent.approval.decided.v1',
        subject: `request/${Math.ceil(sequence / 2)}`,
        actor: 'alice',
        occurredAt: at,
        recordedAt: at,
        data: { request: { id: String(Math.ceil(sequence / 2)), note: `a "quoted", comma\nline ${sequence}` } },
        prevHash: prev?.hash ?? '',
      };
      const record = { ...unsealed, hash: recordHash(unsealed) } as AuditRecord;
      batch.push(record);
      prev = record;
    }
    await log.append(batch, from);
    all.push(...batch);
  }
  return all;
}

/** The concatenated chunks of a file. */
export async function readAll(chunks: AsyncIterable<Uint8Array>): Promise<string> {
  const parts: Buffer[] = [];
  for await (const c of chunks) parts.push(Buffer.from(c));
  return Buffer.concat(parts).toString('utf8');
}

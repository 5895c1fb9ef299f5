import { DiscardPolicy, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import { ensureStream, type Nats, type Names } from '@assent/platform';
import type { ExportFileRef, ExportFiles } from '../../domain/export/export-ports.js';
import { EXPORT_TTL_MS } from './export-jobs.js';
import { readSubject } from './read-subject.js';

/** <ROOT>_AUDIT_EXPORTS: export files, one subject per job run. */
export const exportStreamName = (n: Names): string => `${n.upper}_AUDIT_EXPORTS`;

/** <root>.auditexp.<tenant>.<export id>.<attempt> (outside <root>.audit.>, the records' stream). */
export const exportSubject = (n: Names, f: ExportFileRef): string => `${n.root}.auditexp.${f.tenant}.${f.id}.${f.attempt}`;

/**
 * Export files as messages of the <ROOT>_AUDIT_EXPORTS stream, one chunk each, on a
 * subject per run: a download is an ordered read of that subject, so neither side
 * holds the file. Kept seven days (max_age), no deletes or purges through the API.
 * A plain stream rather than an Object Store: the same read path as the chain, and
 * no purge permission (an object store needs it to replace objects).
 */
export class JetStreamExportFiles implements ExportFiles {
  private constructor(
    private readonly nats: Nats,
    private readonly n: Names,
    readonly stream: string,
  ) {}

  static async open(nats: Nats, n: Names): Promise<JetStreamExportFiles> {
    const name = exportStreamName(n);
    await ensureStream(nats.jsm, {
      name,
      subjects: [`${n.root}.auditexp.>`],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      discard: DiscardPolicy.Old,
      max_age: nanos(EXPORT_TTL_MS),
      max_msgs_per_subject: -1,
      duplicate_window: nanos(2 * 60 * 1000),
      deny_delete: true,
      deny_purge: true,
    });
    return new JetStreamExportFiles(nats, n, name);
  }

  async append(file: ExportFileRef, index: number, chunk: Uint8Array): Promise<void> {
    // Nats-Msg-Id: a publish retried after a lost ack stores the chunk once.
    await this.nats.js.publish(exportSubject(this.n, file), chunk, { msgID: `${file.id}:${file.attempt}:${index}` });
  }

  async *read(file: ExportFileRef): AsyncIterable<Uint8Array> {
    for await (const msg of readSubject(this.nats, this.stream, exportSubject(this.n, file), 1)) yield msg.data;
  }
}

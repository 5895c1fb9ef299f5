import type { ExportFileRef, ExportFiles } from '../../domain/export/export-ports.js';

const key = (f: ExportFileRef): string => `${f.tenant}/${f.id}/${f.attempt}`;

/** In-memory twin of the stream-backed export files. */
export class MemoryExportFiles implements ExportFiles {
  private readonly files = new Map<string, Uint8Array[]>();

  async append(file: ExportFileRef, index: number, chunk: Uint8Array): Promise<void> {
    const chunks = this.files.get(key(file)) ?? [];
    if (index !== chunks.length) throw new Error(`chunk ${index} of ${key(file)} is out of order (have ${chunks.length})`);
    chunks.push(Uint8Array.from(chunk));
    this.files.set(key(file), chunks);
  }

  async *read(file: ExportFileRef): AsyncIterable<Uint8Array> {
    for (const chunk of this.files.get(key(file)) ?? []) yield Uint8Array.from(chunk);
  }

  /** Chunks of a file (tests). */
  chunkCount(file: ExportFileRef): number {
    return this.files.get(key(file))?.length ?? 0;
  }
}

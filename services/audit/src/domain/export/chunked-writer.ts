import { createHash } from 'node:crypto';

/**
 * Turns the text of an export into chunks of exactly `chunkBytes` bytes (the last
 * one shorter) handed to `emit` in order: at most one chunk is held, whatever the
 * size of the file. Chunks split bytes, not lines: a download concatenates them.
 */
export class ChunkedWriter {
  private parts: Buffer[] = [];
  private held = 0;
  private readonly digest = createHash('sha256');
  size = 0;
  chunks = 0;

  constructor(
    private readonly chunkBytes: number,
    private readonly emit: (index: number, chunk: Uint8Array) => Promise<void>,
  ) {}

  async write(text: string): Promise<void> {
    const bytes = Buffer.from(text, 'utf8');
    this.parts.push(bytes);
    this.held += bytes.length;
    this.size += bytes.length;
    this.digest.update(bytes);
    while (this.held >= this.chunkBytes) {
      const all = Buffer.concat(this.parts);
      await this.emitChunk(all.subarray(0, this.chunkBytes));
      const rest = all.subarray(this.chunkBytes);
      this.parts = rest.length ? [rest] : [];
      this.held = rest.length;
    }
  }

  private async emitChunk(chunk: Uint8Array): Promise<void> {
    await this.emit(this.chunks, chunk);
    this.chunks++;
  }

  /** Emits what is held; returns the file's sha256 hex. */
  async end(): Promise<string> {
    if (this.held > 0) await this.emitChunk(Buffer.concat(this.parts));
    this.parts = [];
    this.held = 0;
    return this.digest.digest('hex');
  }
}

import { createReadStream, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { ExportVerifier, type ExportVerification, type PublicSigningKey } from '@assent/platform';

/**
 * Verifies an NDJSON audit export line by line as it streams from disk (never whole
 * in memory), with no connection to Assent. `progress` hears bytes read of the total.
 */
export async function verifyExportFile(
  path: string,
  keys: readonly PublicSigningKey[] | undefined,
  progress: (read: number, total: number) => void = () => undefined,
): Promise<ExportVerification> {
  const total = statSync(path).size;
  const verifier = new ExportVerifier(keys);
  const input = createReadStream(path);
  let read = 0;
  input.on('data', (chunk) => (read += chunk.length));
  let lines = 0;
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    verifier.next(line);
    if (++lines % 2_000 === 0) progress(read, total);
  }
  progress(total, total);
  return verifier.result();
}

import { resolve } from 'node:path';
import type { CliContext } from '../cli-context.js';
import { UsageError } from '../errors/usage-error.js';
import { progressBar } from '../output/progress-bar.js';
import { renderFields } from '../output/table.js';
import { readKeysFile } from './read-keys-file.js';
import { verifyExportFile } from './verify-export-file.js';

/** Files this large show a progress bar while they are checked. */
const PROGRESS_FROM_BYTES = 1024 * 1024;

/** `assentctl audit verify --file`: checks an export offline and prints what it proves; exit 1 when damaged. */
export async function verifyExportOffline(ctx: CliContext, file: string, keysFile: string | undefined): Promise<void> {
  const path = resolve(ctx.cwd, file);
  const keys = keysFile ? readKeysFile(resolve(ctx.cwd, keysFile)) : undefined;
  const bar = progressBar(ctx, 'verify |{bar}| {percentage}% of {total} bytes | eta {eta_formatted}');
  let started = false;
  let res;
  try {
    res = await verifyExportFile(path, keys, (read, total) => {
      if (total < PROGRESS_FROM_BYTES) return;
      if (!started) bar.start(total, 0);
      started = true;
      bar.update(read);
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new UsageError(`--file ${file}: no such file`);
    throw err;
  } finally {
    if (started) bar.stop();
  }
  if (!res.valid) ctx.exitCode = 1;
  if (ctx.json) return ctx.printJson({ file, ...res });
  const range = res.records ? ` (sequence ${res.firstSequence}-${res.lastSequence})` : '';
  ctx.print(
    renderFields([
      ['valid', res.valid ? 'yes' : 'NO'],
      ['file', file],
      ['lines', String(res.lines)],
      ['records', `${res.records}${range}`],
      ['contiguous', res.contiguous ? 'yes: links and checkpoints checked across the range' : 'no (filtered): each record checked against its own hash'],
      ['checkpoints', String(res.checkpoints)],
      ['signed through', res.signedThrough ? `sequence ${res.signedThrough}` : ''],
      ['unsigned', res.unsignedRecords ? `${res.unsignedRecords} record(s) after the last checkpoint` : ''],
      ['keys', res.keySource === 'given' ? `given (${keysFile})` : 'carried in the export: not independent of it; pass --keys with the keys Assent publishes'],
      ['first bad line', res.firstBadLine ? String(res.firstBadLine) : ''],
      ['problem', res.problem],
    ]),
  );
  if (!res.valid) ctx.note(`error: ${file} is damaged at line ${res.firstBadLine}: ${res.problem}`);
}

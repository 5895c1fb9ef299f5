import { Writable } from 'node:stream';
import cliProgress from 'cli-progress';
import type { CliContext } from '../cli-context.js';

/**
 * A progress bar on stderr through the CLI's own io (stdout stays the result). Off a
 * terminal it prints a line a second, so a long run in CI still shows it moving.
 */
export function progressBar(ctx: CliContext, format: string): cliProgress.SingleBar {
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      const line = chunk.toString().trim();
      if (line) ctx.note(line);
      done();
    },
  });
  return new cliProgress.SingleBar({ format, stream, noTTYOutput: true, notTTYSchedule: 1_000, etaBuffer: 50 }, cliProgress.Presets.shades_classic);
}

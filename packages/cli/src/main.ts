import type { Io } from './io.js';
import { Session } from './session.js';
import { buildProgram } from './program.js';
import { formatError } from './errors/format-error.js';

export type { Io } from './io.js';

/**
 * Runs assentctl with argv (without the node and script paths) and returns the exit
 * code, writing only through io — bin/assentctl.mjs and tests both call this.
 */
export async function run(argv: string[], io: Io): Promise<number> {
  const session = new Session(io);
  try {
    await buildProgram(io, session).parseAsync(argv, { from: 'user' });
    return session.exitCode;
  } catch (err) {
    const { lines, exitCode } = formatError(err);
    for (const line of lines) io.stderr(`${line}\n`);
    return exitCode;
  } finally {
    session.close();
  }
}

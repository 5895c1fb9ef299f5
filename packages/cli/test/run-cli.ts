import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, type Io } from '../src/main.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** An empty working directory, so no developer's .assent/dev-issuer.json leaks into tests. */
export const emptyDir = mkdtempSync(join(tmpdir(), 'assentctl-test-'));

/** Runs assentctl in-process with only the given environment and captures what it printed. */
export async function runCli(argv: string[], options: Partial<Io> = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await run(argv, {
    env: {},
    cwd: emptyDir,
    ...options,
    stdout: (s) => (stdout += s),
    stderr: (s) => (stderr += s),
  });
  return { code, stdout, stderr };
}

#!/usr/bin/env node
// assentctl. Runs the bundle scripts/build.sh writes (packages/cli/dist/assentctl.mjs,
// ~0.2 s to start) when it is newer than every source it was built from; otherwise
// the TypeScript sources through tsx (~1 s), so an edited checkout never runs stale code.
import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..');
const packages = join(cli, '..');
const bundle = join(cli, 'dist', 'assentctl.mjs');

function newestSource() {
  let newest = 0;
  for (const dir of [join(cli, 'src'), join(cli, 'schemas'), join(packages, 'platform', 'src'), join(packages, 'proto', 'src')]) {
    for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
      if (e.isFile()) newest = Math.max(newest, statSync(join(e.parentPath, e.name)).mtimeMs);
    }
  }
  return newest;
}

function bundleIsFresh() {
  try {
    return statSync(bundle).mtimeMs >= newestSource();
  } catch {
    return false;
  }
}

let run;
if (bundleIsFresh()) {
  ({ run } = await import(bundle));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ run } = await import('../src/main.ts'));
}
const code = await run(process.argv.slice(2), {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  env: process.env,
});
process.exit(code);

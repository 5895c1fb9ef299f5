#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx's ESM loader: the monorepo has no build step.
import process from 'node:process';
import { register } from 'tsx/esm/api';

register();
const { run } = await import('../src/main.ts');
const code = await run(process.argv.slice(2), {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  env: process.env,
});
process.exit(code);

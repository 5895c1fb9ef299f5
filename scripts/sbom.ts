/**
 * A CycloneDX SBOM per service, made by the CycloneDX project's own npm tool
 * (`cyclonedx-npm`) from the lockfile: the service's production dependency tree,
 * written to dist/<svc>/sbom.cdx.json, which the image ships beside the bundle.
 * With --check it also verifies each SBOM: CycloneDX JSON, every direct production
 * dependency of the service listed with its locked version, and no test tooling.
 *
 * usage: tsx scripts/sbom.ts [--check] [service...]   (default: all five)
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const args = process.argv.slice(2);
const check = args[0] === '--check';
const services = (check ? args.slice(1) : args).length ? (check ? args.slice(1) : args) : ['approvals', 'authz', 'audit', 'delivery', 'notifier'];
const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as { packages: Record<string, { version?: string }> };

interface Bom {
  bomFormat: string;
  specVersion: string;
  components?: { name: string; group?: string; version: string }[];
}

for (const s of services) {
  const out = join('dist', s, 'sbom.cdx.json');
  mkdirSync(join('dist', s), { recursive: true });
  execFileSync('npx', ['--no', '--', 'cyclonedx-npm', '--workspace', `services/${s}`, '--omit', 'dev', '--output-format', 'JSON', '--output-file', out], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (!check) continue;
  const bom = JSON.parse(readFileSync(out, 'utf8')) as Bom;
  const listed = new Map((bom.components ?? []).map((c) => [c.group ? `${c.group}/${c.name}` : c.name, c.version]));
  const problems: string[] = [];
  if (bom.bomFormat !== 'CycloneDX') problems.push(`bomFormat is ${bom.bomFormat}`);
  const manifest = JSON.parse(readFileSync(join('services', s, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  for (const dep of Object.keys(manifest.dependencies ?? {})) {
    if (dep.startsWith('@assent/')) continue;
    // The workspace's own copy wins over the hoisted one (e.g. ajv 8 here, ajv 6 at the root for eslint).
    const locked = (lock.packages[`services/${s}/node_modules/${dep}`] ?? lock.packages[`node_modules/${dep}`])?.version;
    if (listed.get(dep) !== locked) problems.push(`${dep}: SBOM says ${String(listed.get(dep))}, lockfile ${String(locked)}`);
  }
  for (const devOnly of ['vitest', 'typescript', 'eslint', 'esbuild']) if (listed.has(devOnly)) problems.push(`lists dev tool ${devOnly}`);
  if (problems.length) {
    process.stderr.write(`${out}:\n  ${problems.join('\n  ')}\n`);
    process.exit(1);
  }
  process.stdout.write(`${out}: CycloneDX ${bom.specVersion}, ${listed.size} components, every production dependency at its locked version\n`);
}

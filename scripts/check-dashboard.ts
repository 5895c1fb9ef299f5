/**
 * Checks the Grafana dashboard's queries: each is valid PromQL (promtool parses them
 * as recording rules) and every `assent_*` or process metric it names is one the
 * services export (the platform's metric registry), so a renamed metric cannot
 * leave a silently empty panel. The alert rules files given after it are held to the
 * same metric names (promtool checks their PromQL itself).
 * Usage: PROMTOOL=… tsx scripts/check-dashboard.ts <dashboard.json> [rules.yaml…]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMetrics } from '@assent/platform';

interface Panel {
  title: string;
  targets?: { expr: string }[];
  panels?: Panel[];
}

const file = process.argv[2];
const promtool = process.env['PROMTOOL'] ?? 'promtool';
if (!file) throw new Error('usage: check-dashboard.ts <dashboard.json>');
const dashboard = JSON.parse(readFileSync(file, 'utf8')) as { panels: Panel[] };
const targets = dashboard.panels.flatMap(function walk(p: Panel): { panel: string; expr: string }[] {
  return [...(p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })), ...(p.panels ?? []).flatMap(walk)];
});
if (targets.length === 0) throw new Error(`${file}: no queries found`);

// Grafana variables become what they stand for at query time.
const promql = (expr: string) => expr.replaceAll('$__rate_interval', '5m').replaceAll('$service', '.*');
const dir = mkdtempSync(join(tmpdir(), 'assent-dashboard-'));
try {
  const rules = ['groups:', '  - name: dashboard', '    rules:', ...targets.flatMap((t, i) => [`      - record: assent_dashboard:query_${i}`, `        expr: ${JSON.stringify(promql(t.expr))}`])];
  writeFileSync(join(dir, 'queries.rules.yaml'), `${rules.join('\n')}\n`);
  execFileSync(promtool, ['check', 'rules', join(dir, 'queries.rules.yaml')], { stdio: ['ignore', 'ignore', 'inherit'] });
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const exported = new Set<string>();
for (const m of await createMetrics('dashboard-check').registry.getMetricsAsJSON()) {
  exported.add(m.name);
  if (String(m.type) === 'histogram') for (const s of ['_bucket', '_sum', '_count']) exported.add(`${m.name}${s}`);
}
const names = (text: string) => text.match(/\b(?:assent|process|nodejs)_[a-z_]+\b/g) ?? [];
const unknown = [
  ...targets.flatMap((t) => names(t.expr).filter((name) => !exported.has(name)).map((name) => `${t.panel}: ${name}`)),
  ...process.argv.slice(3).flatMap((rules) => names(readFileSync(rules, 'utf8')).filter((name) => !exported.has(name)).map((name) => `${rules}: ${name}`)),
];
if (unknown.length) {
  process.stderr.write(`${file}: queries name metrics no service exports:\n  ${unknown.join('\n  ')}\n`);
  process.exit(1);
}
process.stdout.write(`${file}: ${targets.length} queries parse, and every metric they name is exported\n`);

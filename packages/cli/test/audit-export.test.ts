import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, ServerError, Status, type Server } from 'nice-grpc';
import { EXPORT_TYPE, checkpointHash, exportLine, jwkThumbprint, keyLine, recordHash, signedBytes, type Checkpoint, type Ed25519Jwk, type ExportLine, type ExportedRecord } from '@assent/platform';
import { auditv1 } from '@assent/proto';
import { runCli } from './run-cli.js';

// An export as the audit service writes it, built here from the same platform code
// (hashes, signed bytes, line format), signed with a key of the test's own.
const dir = mkdtempSync(join(tmpdir(), 'assentctl-export-'));
const path = (name: string) => join(dir, name);

function keyPair(kid: string): { privateKey: KeyObject; jwk: Ed25519Jwk; kid: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const x = publicKey.export({ format: 'jwk' }).x as string;
  return { privateKey, jwk: { kty: 'OKP', crv: 'Ed25519', x, kid }, kid };
}

const published = keyPair('audit-2030');

/** Records 1..count, a checkpoint after every `every`-th, as NDJSON lines (no trailing newline). */
function exportLines(count: number, every: number, key = published, edit: (r: ExportedRecord) => void = () => undefined): string[] {
  const lines: ExportLine[] = [
    { kind: 'header', type: EXPORT_TYPE, tenant: 'acme', exportId: '01JEXPORT', createdAt: '2030-01-02T00:00:00.000Z', contiguous: true, filters: {}, throughSequence: count },
    keyLine({ keyId: key.kid, jwk: key.jwk, validFrom: undefined, validUntil: undefined, current: true }),
  ];
  let prev: ExportedRecord | undefined;
  let cp: Checkpoint | undefined;
  let checkpoints = 0;
  for (let sequence = 1; sequence <= count; sequence++) {
    const at = new Date(Date.UTC(2030, 0, 1, 0, sequence));
    const unsealed = { tenant: 'acme', sequence, eventId: `evt-${sequence}`, eventType: 'assent.approval.decided.v1', subject: `request/${sequence}`, actor: 'bob', occurredAt: at, recordedAt: at, data: { approved: true }, prevHash: prev?.hash ?? '' };
    const record = { ...unsealed, hash: '' };
    edit(record);
    record.hash = recordHash(record);
    lines.push({ kind: 'record', record });
    prev = record;
    if (sequence % every === 0) {
      const unsigned = { tenant: 'acme', index: (cp?.index ?? 0) + 1, sequence, headHash: record.hash, time: at, keyId: key.kid, prevCheckpointHash: cp ? checkpointHash(cp) : '' };
      cp = { ...unsigned, signature: sign(null, signedBytes(unsigned), key.privateKey).toString('base64url') };
      lines.push({ kind: 'checkpoint', checkpoint: cp });
      checkpoints++;
    }
  }
  lines.push({ kind: 'end', records: count, checkpoints });
  return lines.map((l) => exportLine(l).trimEnd());
}

const good = exportLines(10, 5); // 1 header, 2 key, 3-7 records 1-5, 8 checkpoint 1, 9-13 records 6-10, 14 checkpoint 2, 15 end
const goodFile = path('good.ndjson');
writeFileSync(goodFile, `${good.join('\n')}\n`);
// As `assentctl -o json audit keys` prints them.
const keysFile = path('keys.json');
writeFileSync(keysFile, JSON.stringify({ keys: [{ keyId: published.kid, publicJwk: JSON.stringify(published.jwk), current: true }] }));

/** Nothing listens on port 1: an offline verify that tried to call Assent would fail. */
const offline = { ASSENT_TOKEN: 'tok', ASSENT_AUDIT_ADDR: '127.0.0.1:1' };
async function verify(lines: string[], name: string, keys: string | null = keysFile) {
  const file = path(name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return runCli(['audit', 'verify', '--file', file, ...(keys ? ['--keys', keys] : [])], { env: offline });
}

describe('assentctl audit verify --file (offline)', () => {
  it('accepts an intact export with the published keys and says what it proves', async () => {
    const r = await verify(good, 'intact.ndjson');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/valid:\s+yes/);
    expect(r.stdout).toMatch(/records:\s+10 \(sequence 1-10\)/);
    expect(r.stdout).toMatch(/signed through:\s+sequence 10/);
    expect(r.stdout).toMatch(/keys:\s+given/);
  });

  const damaged: [string, (l: string[]) => string[], number, RegExp][] = [
    ['an edited record', (l) => l.map((s, i) => (i === 4 ? s.replace('"actor":"bob"', '"actor":"mallory"') : s)), 5, /record 3 was edited/],
    ['a deleted record', (l) => l.filter((_, i) => i !== 5), 6, /record 5 follows record 3: record 4 is missing/],
    ['an inserted record', (l) => [...l.slice(0, 6), l[3]!, ...l.slice(6)], 7, /record 2 comes after record 4: a record was inserted or moved/],
    ['two records swapped', (l) => [...l.slice(0, 8), l[9]!, l[8]!, ...l.slice(10)], 9, /record 7 follows record 5: record 6 is missing here \(deleted or moved\)/],
    ['a forged checkpoint signature', (l) => l.map((s, i) => (i === 13 ? s.replace(/"signature":"[^"]+"/, `"signature":"${Buffer.alloc(64, 7).toString('base64url')}"`) : s)), 14, /checkpoint 2: signature check failed \(bad signature/],
    // Checkpoint 2 is then the first in the file, with nothing before it to link to: the end line's count catches it.
    ['a removed checkpoint', (l) => l.filter((_, i) => i !== 7), 14, /the end line counts 10 records and 2 checkpoints, the file holds 10 and 1/],
    ['the end cut off', (l) => l.slice(0, 12), 13, /no end line: it was cut short/],
  ];
  for (const [what, tamper, line, problem] of damaged) {
    it(`names the first bad line of ${what}`, async () => {
      const r = await verify(tamper(good), `${what.replaceAll(' ', '-')}.ndjson`);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/valid:\s+NO/);
      expect(r.stdout).toMatch(new RegExp(`first bad line:\\s+${line}\\n`));
      expect(r.stderr).toMatch(problem);
      expect(r.stderr).toContain(`is damaged at line ${line}:`);
    });
  }

  it('catches a whole rewrite only with the published keys: the rewriter signs with a key of his own', async () => {
    const rewritten = exportLines(10, 5, keyPair('audit-2030'), (r) => {
      if (r.sequence === 3) r.actor = 'mallory';
    });
    const carried = await verify(rewritten, 'rewritten.ndjson', null);
    expect(carried.code).toBe(0); // consistent with itself and the key it carries
    expect(carried.stdout).toMatch(/keys:\s+carried in the export: not independent/);
    const r = await verify(rewritten, 'rewritten.ndjson');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/first bad line:\s+8\n/);
    expect(r.stderr).toMatch(/checkpoint 1: signature check failed \(bad signature, key "audit-2030"\)/);
  });

  it('shows progress on a long file', async () => {
    const big = exportLines(8000, 1000);
    const r = await verify(big, 'big.ndjson');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/records:\s+8000 \(sequence 1-8000\)/);
    expect(r.stderr).toMatch(/verify \|[█░]+\| 100% of \d+ bytes/);
  });

  it('takes a JWK Set as --keys too, and refuses --keys without --file', async () => {
    const jwks = path('jwks.json');
    writeFileSync(jwks, JSON.stringify({ keys: [published.jwk] }));
    expect((await verify(good, 'jwks.ndjson', jwks)).code).toBe(0);
    const other = path('jwks-thumbprint.json');
    const { kid: _kid, ...noKid } = published.jwk;
    writeFileSync(other, JSON.stringify({ keys: [noKid] }));
    // Without a kid the key is named by its thumbprint, which is not the id the checkpoints name.
    expect(jwkThumbprint(published.jwk)).not.toBe(published.kid);
    expect((await verify(good, 'jwks-thumbprint.ndjson', other)).stderr).toMatch(/unknown key/);
    const r = await runCli(['audit', 'verify', '--keys', keysFile], { env: offline });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--keys goes with --file/);
  });
});

describe('assentctl audit export', () => {
  let server: Server;
  let env: Record<string, string>;
  const created: auditv1.CreateExportRequest[] = [];
  const file = Buffer.from(`${good.join('\n')}\n`);
  const job = (tenant: string, state: auditv1.ExportState): auditv1.ExportJob => ({
    ...auditv1.ExportJob.fromPartial({}),
    exportId: tenant === 'acme' ? '01JEXPORTACME' : '01JEXPORTGLOBEX',
    tenant,
    format: auditv1.ExportFormat.EXPORT_FORMAT_NDJSON,
    state,
    contiguous: true,
    throughSequence: '10',
    recordsScanned: state === auditv1.ExportState.EXPORT_STATE_SUCCEEDED ? '10' : '4',
    recordsWritten: '10',
    progress: state === auditv1.ExportState.EXPORT_STATE_SUCCEEDED ? 1 : 0.4,
    sizeBytes: String(file.length),
    sha256: createHash('sha256').update(file).digest('hex'),
    createdBy: 'carol',
    createTime: new Date('2030-01-02T00:00:00.000Z'),
    attempt: 1,
  });
  let polls = 0;

  beforeAll(async () => {
    server = createServer();
    const owned = (tenant: string, exportId: string) => {
      if (exportId !== '01JEXPORTACME' || tenant !== 'acme') throw new ServerError(Status.PERMISSION_DENIED, `export "${exportId}" belongs to another tenant`);
    };
    // Every other RPC of the service answers UNIMPLEMENTED (whatever the service grows).
    const unimplemented = Object.fromEntries(
      Object.keys(auditv1.AuditServiceDefinition.methods).map((m) => [m, () => Promise.reject(new ServerError(Status.UNIMPLEMENTED, `${m} is not in this fake`))]),
    );
    const exports: Pick<auditv1.AuditServiceImplementation, 'createExport' | 'getExport' | 'listExports' | 'downloadExport'> = {
      async createExport(req) {
        created.push(req);
        polls = 0;
        return { job: job(req.tenant, auditv1.ExportState.EXPORT_STATE_PENDING) };
      },
      async getExport(req) {
        owned(req.tenant, req.exportId);
        return { job: job(req.tenant, ++polls < 2 ? auditv1.ExportState.EXPORT_STATE_RUNNING : auditv1.ExportState.EXPORT_STATE_SUCCEEDED) };
      },
      async listExports(req) {
        return { jobs: [job(req.tenant, auditv1.ExportState.EXPORT_STATE_SUCCEEDED)] };
      },
      async *downloadExport(req) {
        owned(req.tenant, req.exportId);
        for (let offset = 0; offset < file.length; offset += 500) yield { data: file.subarray(offset, offset + 500), offset: String(offset) };
      },
    };
    server.add(auditv1.AuditServiceDefinition, { ...unimplemented, ...exports } as auditv1.AuditServiceImplementation);
    env = { ASSENT_TOKEN: 'tok', ASSENT_AUDIT_ADDR: `127.0.0.1:${await server.listen('127.0.0.1:0')}` };
  });

  afterAll(async () => {
    await server.forceShutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates, follows and downloads an export, which then verifies offline', async () => {
    const out = path('downloaded.ndjson');
    const r = await runCli(['audit', 'export', 'create', '--format', 'ndjson', '--after', '2030-01-01T00:00:00Z', '--out', out], { env });
    expect(r.code).toBe(0);
    expect(created.at(-1)).toMatchObject({ tenant: 'acme', format: auditv1.ExportFormat.EXPORT_FORMAT_NDJSON, recordedAfter: new Date('2030-01-01T00:00:00Z') });
    expect(r.stdout).toMatch(/state:\s+succeeded/);
    expect(r.stderr).toMatch(/export \|.*\| 100%/);
    expect(r.stderr).toMatch(/wrote .*downloaded.ndjson \(\d+ bytes, sha256 [0-9a-f]{64}\)/);
    expect(readFileSync(out)).toEqual(file);
    const v = await runCli(['audit', 'verify', '--file', out, '--keys', keysFile], { env: offline });
    expect(v.code).toBe(0);
  });

  it('shows status, lists, and downloads by id', async () => {
    const status = await runCli(['audit', 'export', 'status', '01JEXPORTACME'], { env });
    expect(status.stdout).toMatch(/export id:\s+01JEXPORTACME/);
    const list = await runCli(['audit', 'export', 'list'], { env });
    expect(list.stdout).toMatch(/01JEXPORTACME\s+succeeded\s+ndjson\s+100%/);
    const out = path('by-id.ndjson');
    const dl = await runCli(['audit', 'export', 'download', '01JEXPORTACME', '--out', out], { env });
    expect(dl.code).toBe(0);
    expect(readFileSync(out)).toEqual(file);
  });

  it('reports another tenant’s export as permission denied', async () => {
    const r = await runCli(['--tenant', 'globex', 'audit', 'export', 'status', '01JEXPORTACME'], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/PERMISSION_DENIED|permission denied/i);
  });
});

import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { natsServers, newEvent } from '@assent/platform';
import { run } from '../src/main.js';

const natsUrl = process.env['ASSENT_TEST_NATS_URL'] ?? 'nats://127.0.0.1:4222';
const root = `clitest${randomBytes(4).toString('hex')}`;
let nc: NatsConnection;

beforeAll(async () => {
  nc = await connect(natsServers(natsUrl));
});

afterAll(async () => {
  await nc?.close();
});

/** Starts `assentctl events watch …` in-process and resolves once it is subscribed. */
async function startWatch(args: string[], signal?: AbortSignal) {
  const out = { stdout: '', stderr: '' };
  const done = run(['events', 'watch', '--nats', natsUrl, '--root', root, ...args], {
    env: {},
    signal,
    stdout: (s) => (out.stdout += s),
    stderr: (s) => (out.stderr += s),
  });
  for (let i = 0; i < 100 && !out.stderr.includes('watching'); i++) await new Promise((r) => setTimeout(r, 50));
  expect(out.stderr).toContain(`watching ${root}.evt.acme.>`);
  return { out, done };
}

function publish(tenant: string, type: string, subject: string): string {
  const e = newEvent({ type, service: 'approvals', subject, tenant, data: {} });
  const [, domain, name] = type.split('.');
  nc.publish(`${root}.evt.${tenant}.${domain}.${name}`, JSON.stringify(e));
  return e.id;
}

describe('events watch (real NATS)', () => {
  it("prints the tenant's matching events one per line and exits after --count", async () => {
    const { out, done } = await startWatch(['--type', 'assent.approval.*', '--count', '2']);
    publish('acme', 'assent.authz.checked.v1', 'decision/1');
    publish('globex', 'assent.approval.requested.v1', 'request/other-tenant');
    nc.publish(`${root}.evt.acme.approval.requested`, 'not json');
    const first = publish('acme', 'assent.approval.requested.v1', 'request/01JA');
    const second = publish('acme', 'assent.approval.decided.v1', 'request/01JA');
    await nc.flush();
    expect(await done).toBe(0);
    const lines = out.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z  assent\\.approval\\.requested\\.v1 +request/01JA +${first}$`));
    expect(lines[1]).toMatch(new RegExp(`assent\\.approval\\.decided\\.v1 +request/01JA +${second}$`));
    expect(out.stderr).toContain(`warning: skipped a message on ${root}.evt.acme.approval.requested that is not a CloudEvent`);
  });

  it('-o json prints one CloudEvent per line and stops when aborted', async () => {
    const abort = new AbortController();
    const { out, done } = await startWatch(['-o', 'json'], abort.signal);
    const id = publish('acme', 'assent.grant.issued.v1', 'grant/g1');
    await nc.flush();
    for (let i = 0; i < 100 && !out.stdout; i++) await new Promise((r) => setTimeout(r, 20));
    abort.abort();
    expect(await done).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({ specversion: '1.0', id, type: 'assent.grant.issued.v1', subject: 'grant/g1', tenantid: 'acme' });
  });

  it('exits 3 with a hint when NATS is unreachable', async () => {
    let stderr = '';
    const code = await run(['events', 'watch', '--nats', 'nats://127.0.0.1:1'], { env: {}, stdout: () => {}, stderr: (s) => (stderr += s) });
    expect(code).toBe(3);
    expect(stderr).toMatch(/^error: cannot connect to NATS at nats:\/\/127\.0\.0\.1:1: .*\nhint: is NATS running at nats:\/\/127\.0\.0\.1:1\?/);
  });
});

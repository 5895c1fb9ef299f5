import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decode, fromSeed, parseCreds } from '@nats-io/jwt';
import { accountPublicKey, createGatewayOperator, gatewayServerConfig, issueUser, newAccountSeed, readerAccountJwt, tenantAccountJwt, tenantReaderPermissions } from '@assent/platform';

describe('event gateway keys and JWTs', () => {
  it('makes an operator whose signing key signs accounts, with a system account and its user', async () => {
    const op = await createGatewayOperator();
    const operator = decode<{ signing_keys: string[]; system_account: string }>(op.operatorJwt);
    expect(operator.nats.system_account).toBe(op.systemAccount);
    const sys = decode(op.systemAccountJwt);
    expect(sys.sub).toBe(op.systemAccount);
    expect(operator.nats.signing_keys).toContain(sys.iss);
    const creds = await parseCreds(new TextEncoder().encode(op.systemCreds));
    expect(creds.aid).toBe(op.systemAccount);
  });

  it('signs a data account with JetStream and read-only exports, a reader account importing them, and readers that may only pull', async () => {
    const op = await createGatewayOperator();
    const [accountSeed, readerSeed] = [newAccountSeed(), newAccountSeed()];
    const limits = { diskBytes: 1 << 20, consumers: 5, connections: 7 };
    type Acct = { limits: Record<string, number>; revocations?: Record<string, number>; exports?: { subject: string; type: string }[]; imports?: { subject: string; account: string; local_subject?: string }[] };
    const data = decode<Acct>(await tenantAccountJwt({ signingKeySeed: op.signingKeySeed, accountSeed, tenant: 'acme', limits }));
    expect(data.sub).toBe(accountPublicKey(accountSeed));
    expect(data.nats.limits).toMatchObject({ disk_storage: 1 << 20, mem_storage: 0, streams: 1, consumer: 5 });
    expect(data.nats.exports?.map((e) => e.subject)).toEqual(['$JS.API.STREAM.INFO.EVENTS', '$JS.API.CONSUMER.INFO.EVENTS.*', '$JS.API.CONSUMER.MSG.NEXT.EVENTS.*', '$JS.ACK.EVENTS.>']);

    const reader = decode<Acct>(await readerAccountJwt({ signingKeySeed: op.signingKeySeed, readerSeed, dataAccount: data.sub, tenant: 'acme', revocations: { UABC: 1_700_000_000 }, limits }));
    expect(reader.nats.limits).toMatchObject({ conn: 7 });
    expect(reader.nats.limits?.['disk_storage'] ?? 0).toBe(0);
    expect(reader.nats.revocations).toEqual({ UABC: 1_700_000_000 });
    expect(reader.nats.imports?.every((i) => i.account === data.sub)).toBe(true);
    expect(reader.nats.imports?.map((i) => i.local_subject ?? i.subject)).toEqual(['ASSENT.JS.API.STREAM.INFO.EVENTS', 'ASSENT.JS.API.CONSUMER.INFO.EVENTS.*', 'ASSENT.JS.API.CONSUMER.MSG.NEXT.EVENTS.*', '$JS.ACK.EVENTS.>']);

    const user = await issueUser({ accountSeed: readerSeed, name: 'acme/siem/1', permissions: tenantReaderPermissions() });
    const { uc, aid } = await parseCreds(new TextEncoder().encode(user.creds));
    expect(aid).toBe(reader.sub);
    expect(uc.sub).toBe(user.publicKey);
    const pub = (uc.nats as unknown as { pub: { allow: string[] } }).pub.allow;
    expect(pub).toEqual(reader.nats.imports?.map((i) => i.local_subject ?? i.subject));
  });

  it('writes a server config in operator mode with the NATS-based resolver', () => {
    const conf = gatewayServerConfig({ host: '127.0.0.1', port: 4224, storeDir: '/s', resolverDir: '/r', operatorJwtFile: '/o.jwt', systemAccount: 'ASYS', systemAccountJwt: 'eyJ' });
    expect(conf).toContain('operator: "/o.jwt"');
    expect(conf).toContain('system_account: ASYS');
    expect(conf).toMatch(/resolver: \{ type: full, dir: "\/r", allow_delete: false/);
    expect(conf).toContain('resolver_preload: { ASYS: "eyJ" }');
  });

  it('has dev overlay files that belong together (regenerate with scripts/event-gateway-init.ts when this fails)', async () => {
    const read = (f: string) => readFileSync(new URL(`../../../deploy/k8s/overlays/dev/event-gateway/${f}`, import.meta.url), 'utf8');
    const operator = decode<{ signing_keys: string[]; system_account: string }>(read('operator.jwt').trim());
    const signingKey = fromSeed(new TextEncoder().encode(read('operator-signing-key.nk').trim())).getPublicKey();
    expect(operator.nats.signing_keys).toContain(signingKey);
    expect((await parseCreds(new TextEncoder().encode(read('system.creds')))).aid).toBe(operator.nats.system_account);
    const conf = read('gateway.conf');
    expect(conf).toContain(`system_account: ${operator.nats.system_account}`);
    expect(conf).toContain('operator: "/etc/gateway/operator.jwt"');
  });
});

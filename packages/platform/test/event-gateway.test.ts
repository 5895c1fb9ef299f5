import { describe, expect, it } from 'vitest';
import { decode, parseCreds } from '@nats-io/jwt';
import { accountPublicKey, createGatewayOperator, gatewayServerConfig, issueUser, newAccountSeed, tenantAccountJwt, tenantReaderPermissions } from '@assent/platform';

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

  it('signs a tenant account with JetStream limits and its revocations, and readers that may only pull', async () => {
    const op = await createGatewayOperator();
    const accountSeed = newAccountSeed();
    const jwt = await tenantAccountJwt({ signingKeySeed: op.signingKeySeed, accountSeed, tenant: 'acme', revocations: { UABC: 1_700_000_000 }, limits: { diskBytes: 1 << 20, consumers: 5, connections: 7 } });
    const claims = decode<{ limits: Record<string, number>; revocations: Record<string, number> }>(jwt);
    expect(claims.sub).toBe(accountPublicKey(accountSeed));
    expect(claims.name).toBe('tenant-acme');
    expect(claims.nats.limits).toMatchObject({ disk_storage: 1 << 20, mem_storage: 0, streams: 1, consumer: 5, conn: 7 });
    expect(claims.nats.revocations).toEqual({ UABC: 1_700_000_000 });

    const reader = await issueUser({ accountSeed, name: 'acme/siem/1', permissions: tenantReaderPermissions() });
    const { uc, aid } = await parseCreds(new TextEncoder().encode(reader.creds));
    expect(aid).toBe(accountPublicKey(accountSeed));
    expect(uc.sub).toBe(reader.publicKey);
    const pub = (uc.nats as unknown as { pub: { allow: string[] } }).pub.allow;
    expect(pub).toEqual(['$JS.API.STREAM.INFO.EVENTS', '$JS.API.CONSUMER.INFO.EVENTS.*', '$JS.API.CONSUMER.MSG.NEXT.EVENTS.*', '$JS.ACK.EVENTS.>']);
    expect(pub.some((s) => s.includes('CONSUMER.CREATE'))).toBe(false);
  });

  it('writes a server config in operator mode with the NATS-based resolver', () => {
    const conf = gatewayServerConfig({ host: '127.0.0.1', port: 4224, storeDir: '/s', resolverDir: '/r', operatorJwtFile: '/o.jwt', systemAccount: 'ASYS', systemAccountJwt: 'eyJ' });
    expect(conf).toContain('operator: "/o.jwt"');
    expect(conf).toContain('system_account: ASYS');
    expect(conf).toMatch(/resolver: \{ type: full, dir: "\/r", allow_delete: false/);
    expect(conf).toContain('resolver_preload: { ASYS: "eyJ" }');
  });
});

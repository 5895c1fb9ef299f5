import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Metadata, Status } from 'nice-grpc';
import { approvalsv1 } from '@assent/proto';
import { descriptorSetPath } from '@assent/proto';
import {
  ACTING_CHANNEL_HEADER,
  ACTING_FOR_HEADER,
  ACTING_TENANT_HEADER,
  actingForMetadata,
  actingPrincipal,
  createGrpcClient,
  createGrpcServer,
  createLogger,
  createMetrics,
  openChannel,
  staticToken,
  InvalidArgumentError,
  PermissionDeniedError,
  type AuthContext,
  type Channel,
  type GrpcServer,
  type Principal,
} from '@assent/platform';

const notifier: Principal = { subject: 'service:notifier', kind: 'service', tenant: undefined, roles: [] };
const delivery: Principal = { subject: 'service:delivery', kind: 'service', tenant: undefined, roles: [] };
const bob: Principal = { subject: 'bob', kind: 'user', tenant: 'acme', roles: ['admin'], authentication: { time: new Date(), acr: 'mfa', amr: ['otp'] } };
const opts = { channelServices: new Set(['service:notifier']), serviceSubjects: new Set(['service:notifier', 'service:delivery', 'service:approvals']) };
const headers = (h: Record<string, string | string[]>) => (key: string) => {
  const v = h[key];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
};
const alice = { [ACTING_FOR_HEADER]: 'alice', [ACTING_TENANT_HEADER]: 'acme', [ACTING_CHANNEL_HEADER]: 'slack' };

describe('actingPrincipal', () => {
  it('turns a channel service acting for alice into alice: a user of that tenant, no roles, no sign-in facts, via the service and channel', () => {
    expect(actingPrincipal(notifier, headers(alice), opts)).toEqual({
      subject: 'alice',
      kind: 'user',
      tenant: 'acme',
      roles: [],
      authentication: undefined,
      via: { service: 'service:notifier', channel: 'slack' },
    });
  });

  it('leaves callers without the headers as they are', () => {
    expect(actingPrincipal(bob, headers({}), opts)).toBe(bob);
    expect(actingPrincipal(notifier, headers({}), opts)).toBe(notifier);
  });

  it('refuses the headers from a user and from a service not on the channel list', () => {
    expect(() => actingPrincipal(bob, headers(alice), opts)).toThrow(PermissionDeniedError);
    expect(() => actingPrincipal(bob, headers(alice), opts)).toThrow(/bob may not act for someone else \(assent-acting-for\)/);
    expect(() => actingPrincipal(delivery, headers(alice), opts)).toThrow(/service:delivery may not act for someone else/);
    // Even one header alone is refused to a caller that may not use them.
    expect(() => actingPrincipal(bob, headers({ [ACTING_CHANNEL_HEADER]: 'slack' }), opts)).toThrow(PermissionDeniedError);
  });

  it('names the malformed header', () => {
    const bad = (h: Record<string, string | string[]>) => {
      try {
        actingPrincipal(notifier, headers(h), opts);
      } catch (err) {
        expect(err).toBeInstanceOf(InvalidArgumentError);
        return (err as InvalidArgumentError).violations.map((v) => v.field);
      }
      throw new Error('accepted');
    };
    expect(bad({ ...alice, [ACTING_FOR_HEADER]: 'al ice' })).toEqual([ACTING_FOR_HEADER]);
    expect(bad({ ...alice, [ACTING_TENANT_HEADER]: 'Acme!' })).toEqual([ACTING_TENANT_HEADER]);
    expect(bad({ ...alice, [ACTING_CHANNEL_HEADER]: 'sms' })).toEqual([ACTING_CHANNEL_HEADER]);
    expect(bad({ [ACTING_FOR_HEADER]: 'alice' })).toEqual([ACTING_TENANT_HEADER, ACTING_CHANNEL_HEADER]);
    expect(bad({ ...alice, [ACTING_FOR_HEADER]: ['alice', 'bob'] })).toEqual([ACTING_FOR_HEADER]);
    // Acting for a service would lift a person's call to a service's rights.
    expect(bad({ ...alice, [ACTING_FOR_HEADER]: 'service:approvals' })).toEqual([ACTING_FOR_HEADER]);
  });

  it('actingForMetadata builds the headers and refuses bad values before sending', () => {
    const md = actingForMetadata({ subject: 'okta:alice', tenant: 'acme', channel: 'email' });
    expect([md.get(ACTING_FOR_HEADER), md.get(ACTING_TENANT_HEADER), md.get(ACTING_CHANNEL_HEADER)]).toEqual(['okta:alice', 'acme', 'email']);
    expect(() => actingForMetadata({ subject: '', tenant: 'acme', channel: 'slack' })).toThrow(/assent-acting-for: is required/);
  });
});

describe('a gRPC server honours assent-acting-for only from channel services', () => {
  let grpc: GrpcServer;
  let channel: Channel;
  const principals: Record<string, Principal> = { notifier, delivery, bob };

  beforeAll(async () => {
    grpc = createGrpcServer({
      logger: createLogger('acting-for-test', 'silent'),
      metrics: createMetrics('acting-for-test'),
      verifier: {
        verify: async (token) => {
          const p = principals[token];
          if (!p) throw new Error('unknown token');
          return p;
        },
      },
      descriptorSetPath,
      actingFor: { channelServices: ['service:notifier'], serviceSubjects: [...opts.serviceSubjects] },
    });
    // Every method answers with the principal it was called as, as JSON in a request's justification.
    const whoAmI = async (_req: unknown, ctx: AuthContext) => approvalsv1.GetRequestResponse.fromPartial({ request: { justification: JSON.stringify(ctx.principal) } });
    const impl = Object.fromEntries(Object.keys(approvalsv1.ApprovalsServiceDefinition.methods).map((m) => [m, whoAmI]));
    grpc.server.add(approvalsv1.ApprovalsServiceDefinition, impl as unknown as Parameters<typeof grpc.server.add<typeof approvalsv1.ApprovalsServiceDefinition>>[1]);
    grpc.allowServiceCallers({ GetRequest: ['notifier'] });
    const port = await grpc.server.listen('127.0.0.1:0');
    channel = openChannel(`127.0.0.1:${port}`);
  });
  afterAll(async () => {
    channel?.close();
    await grpc?.server.forceShutdown();
  });

  const call = (token: string, metadata?: Metadata) =>
    createGrpcClient(approvalsv1.ApprovalsServiceDefinition, channel, staticToken(token))
      .getRequest({ tenant: 'acme', id: '01J00000000000000000000000' }, metadata ? { metadata } : {})
      .then((r) => JSON.parse(r.request?.justification ?? '{}') as Principal);

  it('the notifier acting for alice is alice', async () => {
    await expect(call('notifier', actingForMetadata({ subject: 'alice', tenant: 'acme', channel: 'slack' }))).resolves.toEqual({
      subject: 'alice',
      kind: 'user',
      tenant: 'acme',
      roles: [],
      via: { service: 'service:notifier', channel: 'slack' },
    });
  });

  it('a user sending the headers gets PERMISSION_DENIED; bad values INVALID_ARGUMENT naming the header', async () => {
    await expect(call('bob', actingForMetadata({ subject: 'alice', tenant: 'acme', channel: 'slack' }))).rejects.toMatchObject({
      code: Status.PERMISSION_DENIED,
      details: expect.stringContaining('bob may not act for someone else'),
    });
    await expect(call('notifier', Metadata({ [ACTING_FOR_HEADER]: 'alice', [ACTING_TENANT_HEADER]: 'acme', [ACTING_CHANNEL_HEADER]: 'fax' }))).rejects.toMatchObject({
      code: Status.INVALID_ARGUMENT,
      details: expect.stringContaining(ACTING_CHANNEL_HEADER),
    });
  });

  it('a service not allowed the RPC is refused before anything else', async () => {
    await expect(call('delivery', actingForMetadata({ subject: 'alice', tenant: 'acme', channel: 'slack' }))).rejects.toMatchObject({
      code: Status.PERMISSION_DENIED,
      details: expect.stringContaining('service delivery may not call GetRequest'),
    });
  });
});

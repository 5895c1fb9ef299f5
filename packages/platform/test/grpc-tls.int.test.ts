import { afterAll, describe, expect, it } from 'vitest';
import { Status } from 'nice-grpc';
import { authzv1, descriptorSetPath } from '@assent/proto';
import { makeTestPki } from '@assent/testkit';
import { channelCredentials, createGrpcClient, createGrpcServer, createLogger, createMetrics, openChannel, staticToken, type GrpcTlsFiles } from '@assent/platform';

/** gRPC over TLS and mTLS with a throwaway CA (openssl). */
const pki = makeTestPki();
const none: GrpcTlsFiles = { certFile: undefined, keyFile: undefined, clientCaFile: undefined, caFile: undefined };
const stops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const stop of stops) await stop();
});

async function serve(tls: GrpcTlsFiles): Promise<number> {
  const server = createGrpcServer({
    logger: createLogger('tls-test', 'silent'),
    metrics: createMetrics('tls-test'),
    verifier: { verify: async () => ({ subject: 'alice', kind: 'user', tenant: 'acme', roles: [] }) },
    descriptorSetPath,
    tls,
  });
  const refuse = async () => Promise.reject(new Error('unused'));
  server.server.add(authzv1.AuthzServiceDefinition, {
    ...Object.fromEntries(Object.keys(authzv1.AuthzServiceDefinition.methods).map((m) => [m, refuse])),
    listProtectedActions: async () => ({ protectedActions: [] }),
  } as unknown as authzv1.AuthzServiceImplementation);
  const port = await server.listen(0, [authzv1.AuthzServiceDefinition.fullName], '127.0.0.1');
  stops.push(() => server.shutdown());
  return port;
}

async function call(port: number, tls: GrpcTlsFiles) {
  const channel = openChannel(`127.0.0.1:${port}`, channelCredentials(tls));
  try {
    return await createGrpcClient(authzv1.AuthzServiceDefinition, channel, staticToken('t'), { deadlineMs: 3_000 }).listProtectedActions({ tenant: 'acme' });
  } finally {
    channel.close();
  }
}

describe('gRPC TLS', () => {
  it('serves TLS to clients that trust its CA, and nothing to plaintext clients', async () => {
    const port = await serve({ ...none, certFile: pki.serverCert, keyFile: pki.serverKey });
    await expect(call(port, { ...none, caFile: pki.caCert })).resolves.toEqual({ protectedActions: [] });
    const err = await call(port, none).catch((e: { code: Status }) => e);
    expect([Status.UNAVAILABLE, Status.DEADLINE_EXCEEDED, Status.INTERNAL]).toContain((err as { code: Status }).code);
  });

  it('with a client CA, requires a client certificate that CA signed (mTLS)', async () => {
    const port = await serve({ ...none, certFile: pki.serverCert, keyFile: pki.serverKey, clientCaFile: pki.caCert });
    await expect(call(port, { ...none, caFile: pki.caCert, certFile: pki.clientCert, keyFile: pki.clientKey })).resolves.toEqual({ protectedActions: [] });
    await expect(call(port, { ...none, caFile: pki.caCert })).rejects.toBeDefined();
    await expect(call(port, { ...none, caFile: pki.caCert, certFile: pki.rogueClientCert, keyFile: pki.rogueClientKey })).rejects.toBeDefined();
  });

  it('refuses half a configuration', () => {
    expect(() => createGrpcServer({ logger: createLogger('t', 'silent'), metrics: createMetrics('t2'), verifier: { verify: async () => Promise.reject(new Error('x')) }, descriptorSetPath, tls: { ...none, certFile: pki.serverCert } })).toThrow(/both/);
    expect(() => createGrpcServer({ logger: createLogger('t', 'silent'), metrics: createMetrics('t3'), verifier: { verify: async () => Promise.reject(new Error('x')) }, descriptorSetPath, tls: { ...none, clientCaFile: pki.caCert } })).toThrow(/needs a server certificate/);
  });
});

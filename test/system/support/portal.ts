/**
 * The approver portal through the whole platform: the five services (support/platform.ts),
 * the dev OpenID provider signing with the test issuer's key (so its access tokens are
 * the person's own at approvals), and tenant acme with alice, bob and carol and a policy
 * bob or carol approves. For the portal's HTTP and browser tests.
 */
import { createGrpcClient, openChannel, staticToken, type Channel } from '@assent/platform';
import { approvalsv1, authzv1 } from '@assent/proto';
import { cleanupNats, cleanupRedis, freePort, startDevOidcProvider, startOpenFga, startTestIssuer, uniqueRoot, type DevOidcProvider, type RunningOpenFga, type TestIssuer } from '@assent/testkit';
import { startPlatform, type Platform } from './platform.js';

export const TENANT = 'acme';
export const ACTION = 'payouts.change_details';

export interface PortalWorld {
  root: string;
  /** The portal's base URL (the notifier's HTTP port). */
  base: string;
  provider: DevOidcProvider;
  platform: Platform;
  /** approvals as `subject` with their own (dev issuer) token. */
  approvalsAs(subject: string, roles?: string[]): Promise<ReturnType<typeof createGrpcClient<typeof approvalsv1.ApprovalsServiceDefinition>>>;
  /** A pending request by alice that bob or carol may approve. */
  newRequest(resource: string, justification?: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startPortalWorld(opts: { sessionTtlSeconds?: number } = {}): Promise<PortalWorld> {
  const root = uniqueRoot();
  const channels: Channel[] = [];
  let fga: RunningOpenFga | undefined;
  let issuer: TestIssuer | undefined;
  let provider: DevOidcProvider | undefined;
  let platform: Platform | undefined;
  const stop = async () => {
    channels.forEach((c) => c.close());
    await platform?.stop();
    await Promise.allSettled([fga?.stop(), issuer?.stop(), provider?.close(), cleanupNats(root), cleanupRedis(root)]);
  };
  try {
    [fga, issuer] = await Promise.all([startOpenFga(), startTestIssuer()]);
    const httpPort = await freePort();
    const base = `http://127.0.0.1:${httpPort}`;
    provider = await startDevOidcProvider({
      key: issuer.key,
      users: ['alice', 'bob', 'carol'].map((subject) => ({ subject, tenant: TENANT, name: subject[0]?.toUpperCase() + subject.slice(1) })),
      clients: [{ clientId: 'assent-portal', clientSecret: 'portal-test-client-secret', redirectUris: [`${base}/auth/callback`] }],
    });
    platform = await startPlatform({
      root,
      replicas: 1,
      openFgaEnv: fga.authzEnv,
      issuer,
      env: {
        notifier: {
          NOTIFIER_HTTP_PORT: String(httpPort),
          NOTIFIER_PORTAL_BASE_URL: base,
          NOTIFIER_OIDC_ISSUER: provider.issuer,
          NOTIFIER_OIDC_DISCOVERY_URL: provider.discoveryUrl,
          NOTIFIER_OIDC_CLIENT_ID: 'assent-portal',
          NOTIFIER_OIDC_CLIENT_SECRET: 'portal-test-client-secret',
          NOTIFIER_OIDC_SCOPES: `openid profile ${provider.apiScope}`,
          ...(opts.sessionTtlSeconds ? { NOTIFIER_PORTAL_SESSION_TTL_SECONDS: String(opts.sessionTtlSeconds) } : {}),
        },
      },
    });
    const p = platform;
    const iss = issuer;
    const approvalsAs = async (subject: string, roles: string[] = []) => {
      const channel = openChannel(p.addr('approvals'));
      channels.push(channel);
      return createGrpcClient(approvalsv1.ApprovalsServiceDefinition, channel, staticToken(await iss.token({ subject, tenant: TENANT, roles })));
    };
    const authzChannel = openChannel(p.addr('authz'));
    channels.push(authzChannel);
    const platformAdmin = createGrpcClient(authzv1.AuthzServiceDefinition, authzChannel, staticToken(await iss.token({ subject: 'root', roles: ['platform-admin'] })));
    await platformAdmin.createTenant({ id: TENANT, displayName: 'Acme' });
    for (const user of ['alice', 'bob', 'carol']) await platformAdmin.addTenantMember({ tenant: TENANT, user });
    const admin = await approvalsAs('root', ['admin']);
    await admin.putPolicy({
      tenant: TENANT,
      policy: {
        id: 'payouts',
        action: ACTION,
        approvers: ['user:bob', 'user:carol'],
        quorum: 1,
        grantDurationSeconds: '600',
        acknowledgements: [{ id: 'called-vendor', text: 'I confirmed the new bank details with the vendor by phone' }],
        schedule: { slaSeconds: '3600', reminderAfterSeconds: [], reminderRepeatSeconds: '0', escalation: [], expireAfterSeconds: '0' },
      },
    });
    const alice = await approvalsAs('alice');
    const newRequest = async (resource: string, justification = 'the vendor changed banks') => {
      const { request } = await alice.createRequest({ tenant: TENANT, action: ACTION, resource, justification, idempotencyKey: '', grantDurationSeconds: '0' });
      return request?.id as string;
    };
    return { root, base, provider, platform: p, approvalsAs, newRequest, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

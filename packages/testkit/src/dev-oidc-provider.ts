import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { errors, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import type { DevIssuerKey } from '@assent/platform';

/** A person the dev login form offers. */
export interface DevOidcUser {
  subject: string;
  tenant: string;
  roles?: string[];
  name?: string;
}

export interface DevOidcClient {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  postLogoutRedirectUris?: string[];
}

export interface DevOidcProvider {
  /** Where it listens, e.g. http://127.0.0.1:9120 (its issuer identifier is the key's, not this). */
  url: string;
  /** Its discovery document: the issuer identifier is not where it is served, so clients are given this. */
  discoveryUrl: string;
  issuer: string;
  /** The scope that puts the platform's audience on the access token (ask for it with openid). */
  apiScope: string;
  close(): Promise<void>;
}

/** The resource indicator of the Assent APIs; its tokens carry the key's audience (`assent`). */
const RESOURCE = 'urn:assent:api';
const API_SCOPE = 'assent';
/** What a strong sign-in says (as `assentctl --mfa` does): a step-up accepts acr "mfa" or amr "otp". */
const STRONG = { acr: 'mfa', amr: ['pwd', 'otp'] };
const WEAK = { acr: 'pwd', amr: ['pwd'] };

/**
 * A local OpenID provider (panva's oidc-provider) for `make up` and tests: authorization
 * code flow with PKCE, a login form to pick a demo person (and whether the sign-in was
 * strong), no consent screen. It signs with the dev issuer's key and as its issuer, so
 * its access tokens (JWT, audience `assent`, claims tenant, roles, auth_time, acr, amr)
 * are accepted by every service that trusts the dev issuer, as the person's own token.
 * Never for production: anyone may sign in as anyone.
 */
export async function startDevOidcProvider(opts: {
  key: DevIssuerKey;
  users: DevOidcUser[];
  clients: DevOidcClient[];
  port?: number;
  host?: string;
  accessTokenTtlSeconds?: number;
}): Promise<DevOidcProvider> {
  const users = new Map(opts.users.map((u) => [u.subject, u]));
  const ttl = opts.accessTokenTtlSeconds ?? 600;
  const configuration: Configuration = {
    clients: opts.clients.map((c) => ({
      client_id: c.clientId,
      client_secret: c.clientSecret,
      redirect_uris: c.redirectUris,
      post_logout_redirect_uris: c.postLogoutRedirectUris ?? [],
      grant_types: ['authorization_code'],
      response_types: ['code'],
    })),
    clientDefaults: { id_token_signed_response_alg: 'ES256', grant_types: ['authorization_code'], response_types: ['code'] },
    jwks: { keys: [{ ...opts.key.privateJwk, use: 'sig' }] as NonNullable<Configuration['jwks']>['keys'] },
    enabledJWA: { idTokenSigningAlgValues: ['ES256'] },
    acrValues: [STRONG.acr, WEAK.acr],
    claims: { openid: ['sub'], profile: ['name'], [API_SCOPE]: ['tenant', 'roles'] },
    scopes: ['openid', 'profile', API_SCOPE],
    pkce: { required: () => true },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    ttl: { AccessToken: ttl, AuthorizationCode: 60, IdToken: ttl, Interaction: 600, Session: 8 * 3600, Grant: 8 * 3600 },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resource) => {
          if (resource !== RESOURCE) throw new errors.InvalidTarget();
          return { scope: API_SCOPE, audience: opts.key.audience, accessTokenFormat: 'jwt', accessTokenTTL: ttl, jwt: { sign: { alg: 'ES256' } } };
        },
      },
    },
    findAccount: (_ctx, id) => {
      const u = users.get(id);
      if (!u) return undefined;
      return { accountId: id, claims: () => ({ sub: id, name: u.name ?? id, tenant: u.tenant, roles: u.roles ?? [] }) };
    },
    // The person's tenant, roles and how they signed in, as the services read them (jwt-verifier.ts).
    extraTokenClaims: (ctx, token) => {
      const accountId = 'accountId' in token ? token.accountId : undefined;
      const u = accountId ? users.get(accountId) : undefined;
      if (!u) return undefined;
      const code = ctx.oidc.entities.AuthorizationCode;
      return {
        tenant: u.tenant,
        ...(u.roles?.length ? { roles: u.roles } : {}),
        ...(code?.authTime !== undefined ? { auth_time: code.authTime } : {}),
        ...(code?.acr ? { acr: code.acr } : {}),
        ...(code?.amr?.length ? { amr: code.amr } : {}),
      };
    },
    // First-party clients only: no consent screen, the grant is made on the spot.
    loadExistingGrant: async (ctx: KoaContextWithOIDC) => {
      const client = ctx.oidc.client;
      const session = ctx.oidc.session;
      if (!client || !session?.accountId) return undefined;
      const grantId = ctx.oidc.result?.['consent']?.grantId ?? session.grantIdFor(client.clientId);
      if (grantId) {
        const found = await ctx.oidc.provider.Grant.find(grantId);
        if (found) return found;
      }
      const grant = new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
      grant.addOIDCScope(`openid profile ${API_SCOPE}`);
      grant.addOIDCClaims(['tenant', 'roles', 'name']);
      grant.addResourceScope(RESOURCE, API_SCOPE);
      await grant.save();
      return grant;
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    renderError: (ctx, out) => {
      ctx.type = 'html';
      ctx.body = page('Sign-in error', `<p>${escape(String(out['error']))}: ${escape(String(out['error_description'] ?? ''))}</p>`);
    },
  };
  const provider = new Provider(opts.key.issuer, configuration);
  const callback = provider.callback();
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path.startsWith('/interaction/')) {
      interaction(provider, users, req, res).catch((err: Error) => {
        if (!res.headersSent) res.writeHead(400, { 'content-type': 'text/html; charset=utf-8' }).end(page('Sign-in error', `<p>${escape(err.message)}</p>`));
      });
      return;
    }
    void callback(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', resolve);
  });
  const url = `http://${opts.host ?? '127.0.0.1'}:${(server.address() as AddressInfo).port}`;
  return {
    url,
    discoveryUrl: `${url}/.well-known/openid-configuration`,
    issuer: opts.key.issuer,
    apiScope: API_SCOPE,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The dev login form: GET shows it, POST signs in as the chosen person. */
async function interaction(provider: Provider, users: Map<string, DevOidcUser>, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const details = await provider.interactionDetails(req, res);
  if (req.method === 'GET') {
    const options = [...users.values()]
      .map((u) => `<option value="${escape(u.subject)}">${escape(u.name ?? u.subject)} — tenant ${escape(u.tenant)}${u.roles?.length ? `, roles ${escape(u.roles.join(', '))}` : ''}</option>`)
      .join('');
    const prompt = details.prompt.name;
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(
      page(
        'Dev sign-in',
        `<p>Local development issuer: pick who you are. ${prompt === 'login' ? '' : `(prompt: ${escape(prompt)})`}</p>
<form method="post" action="/interaction/${escape(details.uid)}">
<p><label for="user">Person</label><br><select id="user" name="user">${options}</select></p>
<p><input type="checkbox" id="strong" name="strong" value="1"> <label for="strong">Strong sign-in (second factor: acr mfa), as a step-up needs</label></p>
<p><button type="submit">Sign in</button></p>
</form>`,
      ),
    );
    return;
  }
  if (req.method !== 'POST') {
    res.writeHead(405, { allow: 'GET, POST' }).end();
    return;
  }
  const form = new URLSearchParams(await body(req));
  const user = users.get(form.get('user') ?? '');
  if (!user) {
    res.writeHead(400, { 'content-type': 'text/html; charset=utf-8' }).end(page('Sign-in error', '<p>Pick a person from the list.</p>'));
    return;
  }
  const how = form.get('strong') === '1' ? STRONG : WEAK;
  await provider.interactionFinished(req, res, { login: { accountId: user.subject, acr: how.acr, amr: how.amr, remember: false } }, { mergeWithLastSubmission: false });
}

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > 16_384) throw new Error('form too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const escape = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

function page(title: string, content: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escape(title)} · Assent dev issuer</title></head>
<body><main><h1>${escape(title)}</h1>${content}</main></body></html>`;
}

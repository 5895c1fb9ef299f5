import * as oidc from 'openid-client';
import { decodeJwt } from 'jose';
import type { PortalConfig } from '../../config.js';
import type { PendingSignIn, PortalSession, SignInFlow } from '../../transport/http/portal/portal-ports.js';

/** What counts as a strong sign-in, as authz's step-up judges it by default (acr mfa, or a second factor in amr). */
const STRONG_ACR = 'mfa';
const SECOND_FACTORS = ['otp', 'hwk', 'swk', 'mfa', 'fpt', 'face', 'sms'];

/** Thrown when the provider refuses or the callback does not match the sign-in: the person signs in again. */
export class SignInError extends Error {
  override name = 'SignInError';
}

/**
 * The portal as an OpenID relying party (panva's openid-client): authorization code
 * flow with PKCE (S256), state and nonce. The provider is discovered on first use, not
 * at boot, so an IdP outage never keeps the notifier from starting; a failed discovery
 * is tried again on the next sign-in.
 */
export class OpenIdSignIn implements SignInFlow {
  private discovered: Promise<oidc.Configuration> | undefined;

  constructor(
    private readonly config: PortalConfig,
    private readonly callbackUrl: string,
  ) {}

  private configuration(): Promise<oidc.Configuration> {
    this.discovered ??= this.discover().catch((err: unknown) => {
      this.discovered = undefined;
      throw err;
    });
    return this.discovered;
  }

  private async discover(): Promise<oidc.Configuration> {
    const url = new URL(this.config.discoveryUrl);
    const auth = this.config.clientSecret ? oidc.ClientSecretPost(this.config.clientSecret) : oidc.None();
    // http only reaches a provider on this machine (config.ts refuses anything else).
    const execute = url.protocol === 'http:' ? [oidc.allowInsecureRequests] : [];
    const c = await oidc.discovery(url, this.config.clientId, undefined, auth, { execute, timeout: 10 });
    // Fetched from a discovery URL, the document's issuer is not checked by the library: it must be the one configured.
    const issuer = c.serverMetadata().issuer;
    if (issuer !== this.config.issuer) throw new Error(`the OpenID provider at ${url.href} names issuer ${issuer}, not NOTIFIER_OIDC_ISSUER ${this.config.issuer}`);
    return c;
  }

  async start(returnTo: string, opts: { strong?: boolean } = {}): Promise<{ url: string; pending: PendingSignIn }> {
    const c = await this.configuration();
    const pending: PendingSignIn = { state: oidc.randomState(), nonce: oidc.randomNonce(), codeVerifier: oidc.randomPKCECodeVerifier(), returnTo };
    const url = oidc.buildAuthorizationUrl(c, {
      redirect_uri: this.callbackUrl,
      scope: this.config.scopes,
      response_type: 'code',
      code_challenge: await oidc.calculatePKCECodeChallenge(pending.codeVerifier),
      code_challenge_method: 'S256',
      state: pending.state,
      nonce: pending.nonce,
      // A step-up: a fresh sign-in now, with a second factor.
      ...(opts.strong ? { prompt: 'login', max_age: '0', acr_values: STRONG_ACR } : {}),
    });
    return { url: url.href, pending };
  }

  async finish(callbackUrl: URL, pending: PendingSignIn): Promise<Omit<PortalSession, 'csrf'>> {
    const c = await this.configuration();
    let tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers;
    try {
      tokens = await oidc.authorizationCodeGrant(c, callbackUrl, { pkceCodeVerifier: pending.codeVerifier, expectedState: pending.state, expectedNonce: pending.nonce, idTokenExpected: true });
    } catch (err) {
      if (err instanceof oidc.AuthorizationResponseError || err instanceof oidc.ResponseBodyError) throw new SignInError(`the provider refused the sign-in: ${err.error}${err.error_description ? ` (${err.error_description})` : ''}`);
      if (err instanceof oidc.ClientError) throw new SignInError(`the sign-in could not be completed: ${err.message}`);
      throw err;
    }
    const id = tokens.claims();
    if (!id || !tokens.id_token) throw new SignInError('the provider returned no ID token');
    // The access token is approvals' to verify; read here only for the tenant when the ID token does not say.
    const access = decodeJwtOrEmpty(tokens.access_token);
    const tenant = typeof id['tenant'] === 'string' ? id['tenant'] : typeof access['tenant'] === 'string' ? access['tenant'] : undefined;
    if (!tenant) throw new SignInError('the provider said nothing about your tenant (claim "tenant"): ask your administrator to add it to the tokens');
    const amr = Array.isArray(id.amr) ? id.amr.filter((m): m is string => typeof m === 'string') : [];
    const expiresIn = tokens.expiresIn() ?? (typeof access.exp === 'number' ? access.exp - Math.floor(Date.now() / 1000) : 300);
    return {
      subject: id.sub,
      tenant,
      name: typeof id['name'] === 'string' ? id['name'] : id.sub,
      accessToken: tokens.access_token,
      idToken: tokens.id_token,
      expiresAt: Date.now() + Math.min(expiresIn, this.config.sessionTtlSeconds) * 1000,
      strong: id.acr === STRONG_ACR || amr.some((m) => SECOND_FACTORS.includes(m)),
    };
  }

  async signOutUrl(idToken: string, returnTo: string): Promise<string | undefined> {
    const c = await this.configuration().catch(() => undefined);
    if (!c?.serverMetadata().end_session_endpoint) return undefined;
    return oidc.buildEndSessionUrl(c, { id_token_hint: idToken, post_logout_redirect_uri: returnTo }).href;
  }
}

function decodeJwtOrEmpty(token: string): Record<string, unknown> {
  try {
    return decodeJwt(token);
  } catch {
    return {};
  }
}

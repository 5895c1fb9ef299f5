// The approver portal over plain HTTP (no browser): the OIDC sign-in with PKCE against
// the dev provider, refusals of a forged callback, of forms without the session's CSRF
// token and of an expired session, and approving through it as the person.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { approvalsv1 } from '@assent/proto';
import { testEnv } from '@assent/testkit';
import { Jar, csrfOf, form, signIn } from './support/browserless.js';
import { TENANT, startPortalWorld, type PortalWorld } from './support/portal.js';

let world: PortalWorld | undefined;
const w = () => world as PortalWorld;
const { APPROVED, PENDING } = { APPROVED: approvalsv1.RequestState.REQUEST_STATE_APPROVED, PENDING: approvalsv1.RequestState.REQUEST_STATE_PENDING };
const stateOf = async (id: string) => (await (await w().approvalsAs('alice')).getRequest({ tenant: TENANT, id })).request;

beforeAll(async () => {
  world = await startPortalWorld();
}, 120_000);
afterAll(async () => world?.stop(), 60_000);

describe('portal sign-in (OIDC authorization code with PKCE)', () => {
  it('sends the browser to the provider with a PKCE S256 challenge, state and nonce, and keeps the verifier server-side', async () => {
    const jar = new Jar();
    const res = await jar.fetch(`${w().base}/auth/sign-in?return_to=/inbox`);
    expect(res.status).toBe(303);
    const to = new URL(res.headers.get('location') as string);
    expect(to.origin).toBe(new URL(w().provider.url).origin);
    expect(to.searchParams.get('response_type')).toBe('code');
    expect(to.searchParams.get('client_id')).toBe('assent-portal');
    expect(to.searchParams.get('redirect_uri')).toBe(`${w().base}/auth/callback`);
    expect(to.searchParams.get('code_challenge_method')).toBe('S256');
    expect(to.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(to.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(to.searchParams.get('nonce')).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(to.searchParams.has('code_verifier')).toBe(false);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('assent_portal_signin='));
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
  });

  it('signs bob in: the session cookie is HttpOnly and SameSite=Lax, and no code or token is left in the address', async () => {
    const jar = new Jar();
    const { res, url, html } = await signIn(jar, w().base, 'bob');
    expect(res.status).toBe(200);
    expect(url).toBe(`${w().base}/inbox`);
    expect(html).toContain('Signed in as <strong>Bob</strong> (acme)');
    expect(jar.get(w().base, 'assent_portal')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'.*frame-ancestors 'none'/);
    expect(res.headers.get('content-security-policy')).not.toContain('script-src');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
  });

  it('refuses a callback whose state is not the one this browser started, and signs nobody in', async () => {
    const jar = new Jar();
    const start = await jar.fetch(`${w().base}/auth/sign-in`);
    expect(start.status).toBe(303);
    const res = await jar.fetch(`${w().base}/auth/callback?code=stolen-code&state=not-the-state`);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('does not match the sign-in started here');
    expect(jar.get(w().base, 'assent_portal')).toBeUndefined();
    // The pending sign-in was used up by that attempt: the real state no longer works either.
    const state = new URL(start.headers.get('location') as string).searchParams.get('state') as string;
    const again = await jar.fetch(`${w().base}/auth/callback?code=x&state=${state}`);
    expect(again.status).toBe(400);
  });

  it('refuses a callback from a browser that never started a sign-in (login CSRF)', async () => {
    const res = await new Jar().fetch(`${w().base}/auth/callback?code=abc&state=def`);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('was not started here');
  });

  it('sends a visitor without a session to sign in, back to the page they asked for', async () => {
    const res = await new Jar().fetch(`${w().base}/requests/${TENANT}/01J00000000000000000000000`);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/auth/sign-in?return_to=${encodeURIComponent(`/requests/${TENANT}/01J00000000000000000000000`)}`);
  });
});

describe('portal forms', () => {
  it('bob approves from the inbox and the request page, as himself', async () => {
    const id = await w().newRequest('acct/portal-http');
    const jar = new Jar();
    const { html: inbox } = await signIn(jar, w().base, 'bob');
    expect(inbox).toContain(`/requests/${TENANT}/${id}`);
    const page = await jar.fetch(`${w().base}/requests/${TENANT}/${id}`);
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain('I confirmed the new bank details with the vendor by phone');
    const res = await jar.fetch(`${w().base}/requests/${TENANT}/${id}/act`, form({ csrf: csrfOf(html), decision: 'approve', reason: 'checked with the vendor', ack: 'called-vendor' }));
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/requests/${TENANT}/${id}?done=approve`);
    const r = await stateOf(id);
    expect(r?.state).toBe(APPROVED);
    const vote = r?.votes[0];
    expect(vote?.approver).toBe('bob');
    // Bob's own token, not the notifier acting for him.
    expect(vote?.via).toBeUndefined();
  });

  it('a policy that needs step-up: bob signed in normally cannot approve; after a strong sign-in the portal opens his step-up and he can', async () => {
    const admin = await w().approvalsAs('root', ['admin']);
    await admin.putPolicy({ tenant: TENANT, policy: { id: 'keys', action: 'keys.rotate', approvers: ['user:bob'], quorum: 1, grantDurationSeconds: '600', requireStepUpToApprove: true } });
    const alice = await w().approvalsAs('alice');
    const id = (await alice.createRequest({ tenant: TENANT, action: 'keys.rotate', resource: 'key/portal', justification: 'yearly rotation' })).request?.id as string;

    const jar = new Jar();
    await signIn(jar, w().base, 'bob');
    const weak = await (await jar.fetch(`${w().base}/requests/${TENANT}/${id}`)).text();
    expect(weak).toContain('needs a fresh strong sign-in');
    expect(weak).not.toContain('value="approve"');
    const refused = await jar.fetch(`${w().base}/requests/${TENANT}/${id}/act`, form({ csrf: csrfOf(weak), decision: 'approve', reason: 'rotating' }));
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect((await stateOf(id))?.state).toBe(PENDING);

    const { html: strong } = await signIn(jar, w().base, 'bob', `/requests/${TENANT}/${id}`, true);
    expect(strong).toContain('value="approve"');
    const res = await jar.fetch(`${w().base}/requests/${TENANT}/${id}/act`, form({ csrf: csrfOf(strong), decision: 'approve', reason: 'rotating' }));
    expect(res.status).toBe(303);
    expect((await stateOf(id))?.state).toBe(APPROVED);
  });

  it('refuses a form without the session\'s CSRF token, or from another site, and changes nothing', async () => {
    const id = await w().newRequest('acct/portal-csrf');
    const jar = new Jar();
    await signIn(jar, w().base, 'carol');
    const html = await (await jar.fetch(`${w().base}/requests/${TENANT}/${id}`)).text();
    const noToken = await jar.fetch(`${w().base}/requests/${TENANT}/${id}/act`, form({ decision: 'decline', reason: 'forged' }));
    expect(noToken.status).toBe(403);
    expect(await noToken.text()).toContain('CSRF');
    const otherSession = new Jar();
    const { html: otherInbox } = await signIn(otherSession, w().base, 'bob');
    const wrong = await jar.fetch(`${w().base}/requests/${TENANT}/${id}/act`, form({ csrf: csrfOf(otherInbox), decision: 'decline', reason: 'forged' }));
    expect(wrong.status, "another session's token").toBe(403);
    const foreign = await jar.fetch(`${w().base}/requests/${TENANT}/${id}/act`, { ...form({ csrf: csrfOf(html), decision: 'decline', reason: 'forged' }), headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' } });
    expect(foreign.status).toBe(403);
    const bulk = await jar.fetch(`${w().base}/inbox/bulk`, form({ id, action: 'decline', reason: 'forged' }));
    expect(bulk.status).toBe(403);
    expect((await stateOf(id))?.state).toBe(PENDING);
  });

  it('an expired session is refused: the next page asks to sign in and a form changes nothing', async () => {
    const id = await w().newRequest('acct/portal-expiry');
    const jar = new Jar();
    const { html } = await signIn(jar, w().base, 'bob');
    const sid = jar.get(w().base, 'assent_portal') as string;
    const redis = new Redis(testEnv.redisUrl, { keyPrefix: `${w().root}:` });
    try {
      const key = `portal:notifier:session:${createHash('sha256').update(sid).digest('base64url')}`;
      const ttl = await redis.pttl(key);
      expect(ttl, 'the session expires in Redis by itself').toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(8 * 3600 * 1000);
      // Its time is up (as if its expiry had passed while Redis still held it).
      const stored = JSON.parse((await redis.get(key)) as string) as { expiresAt: number };
      await redis.set(key, JSON.stringify({ ...stored, expiresAt: Date.now() - 1000 }), 'KEEPTTL');
    } finally {
      redis.disconnect();
    }
    const page = await jar.fetch(`${w().base}/inbox`);
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toContain('/auth/sign-in');
    const post = await jar.fetch(`${w().base}/requests/${TENANT}/${id}/act`, form({ csrf: csrfOf(html), decision: 'decline', reason: 'late' }));
    expect(post.status).toBe(401);
    expect((await stateOf(id))?.state).toBe(PENDING);
  });

  it('signing out ends the session on the server, not only in the browser', async () => {
    const jar = new Jar();
    const { html } = await signIn(jar, w().base, 'bob');
    const sid = jar.get(w().base, 'assent_portal') as string;
    const out = await jar.fetch(`${w().base}/auth/sign-out`, form({ csrf: csrfOf(html) }));
    expect(out.status).toBe(200);
    expect(jar.get(w().base, 'assent_portal')).toBeUndefined();
    // The old cookie, replayed, is no longer a session.
    jar.set(w().base, 'assent_portal', sid);
    expect((await jar.fetch(`${w().base}/inbox`)).status).toBe(303);
  });
});

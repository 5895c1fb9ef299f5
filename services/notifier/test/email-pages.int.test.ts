import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics, createLogger, createRedis, startHttpServer, type HttpServer, type Redis } from '@assent/platform';
import { cleanupRedis, testEnv, uniqueRoot } from '@assent/testkit';
import { MemoryApprovalsGateway } from '../src/adapters/memory/approvals-gateway.js';
import { JoseLinkTokens } from '../src/adapters/jose/jose-link-tokens.js';
import { RedisLinkGuard, linkGuardKey } from '../src/adapters/redis/redis-link-guard.js';
import { emailPagesHandler } from '../src/transport/http/email-pages.js';
import { portalHandler } from '../src/transport/http/portal.js';
import { LINK_SECRET } from './support/email-fixtures.js';
import { requestView, ulidLike } from './support/fixtures.js';

const root = uniqueRoot();
const links = new JoseLinkTokens(LINK_SECRET);
const approvals = new MemoryApprovalsGateway();
let now = new Date();
const clock = { now: () => now };
let redis: Redis;
let server: HttpServer;
let base: string;

beforeAll(async () => {
  redis = createRedis(testEnv.redisUrl, root);
  const pages = emailPagesHandler({ links, guard: new RedisLinkGuard(redis), approvals, clock, portalBaseUrl: 'https://assent.example.test' }, { publicBaseUrl: 'http://127.0.0.1', logger: createLogger('test', 'silent') });
  const portal = portalHandler();
  server = await startHttpServer({ port: 0, host: '127.0.0.1', registry: createMetrics('email-pages-test').registry, ready: () => true, extra: async (req, res) => (await pages(req, res)) || portal(req, res) });
  base = `http://127.0.0.1:${server.port}`;
});
afterAll(async () => {
  await server?.close();
  await redis?.quit();
  await cleanupRedis(root);
});

/** A pending request for bob and carol, and bob's link to it. */
async function pendingRequest(overrides: Parameters<typeof requestView>[0] = {}, ttlMs = 3600_000) {
  now = new Date();
  const r = requestView({ approvers: ['user:bob', 'user:carol'], ...overrides });
  approvals.put({ request: r, state: 'PENDING', acknowledgements: [] });
  const linkId = ulidLike().toLowerCase();
  const token = await links.issueLink({ tenant: r.tenant, requestId: r.id, principal: 'bob', linkId, expiresAt: new Date(now.getTime() + ttlMs) });
  return { r, token, linkId, decided: () => approvals.calls.filter((c) => c.requestId === r.id) };
}

/** What a browser does with a link: open it, keep the cookie, follow the page's move. */
async function open(token: string) {
  const res = await fetch(`${base}/email/open?token=${encodeURIComponent(token)}`, { redirect: 'manual' });
  const setCookie = res.headers.get('set-cookie') ?? '';
  const html = await res.text();
  const to = /<meta http-equiv="refresh" content="0;url=([^"]+)">/.exec(html)?.[1];
  return { res, setCookie, cookie: setCookie.split(';')[0] ?? '', to, html };
}

const csrfIn = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
const post = (path: string, cookie: string, form: Record<string, string>, headers: Record<string, string> = {}) =>
  fetch(`${base}${path}`, { method: 'POST', redirect: 'manual', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(form).toString() });

describe('email link → confirmation page → decision, over HTTP', () => {
  it('opening the link changes nothing and leaves no token in the address: a cookie for that one request', async () => {
    const { r, token, decided } = await pendingRequest();
    const opened = await open(token);
    expect(opened.res.status).toBe(200);
    expect(opened.to).toBe(`/email/requests/acme/${r.id}`);
    expect(opened.setCookie).toMatch(new RegExp(`^assent_email_session=[^;]+; Path=/email/requests/acme/${r.id}; Max-Age=(900|899); HttpOnly; SameSite=Strict$`));
    expect(opened.res.headers.get('referrer-policy')).toBe('no-referrer');

    const page = await fetch(`${base}${opened.to}`, { headers: { cookie: opened.cookie } });
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("form-action 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    const html = await page.text();
    for (const fact of ['payouts.change_details', 'payout-account/42', 'alice', 'Vendor changed banks', 'payout-details-change', 'Deciding as <strong>bob</strong>']) expect(html).toContain(fact);
    expect(html).toContain('value="approve"');
    expect(html).not.toContain(token);
    // A scanner opening the link again, and the page again: still nothing decided, the link still works.
    expect((await open(token)).res.status).toBe(200);
    expect((await fetch(`${base}${opened.to}`, { headers: { cookie: opened.cookie } })).status).toBe(200);
    expect(decided()).toEqual([]);
  });

  it('approves on POST with the page\'s CSRF token, once; the link is then used', async () => {
    const { r, token, linkId, decided } = await pendingRequest();
    const { cookie, to } = await open(token);
    const html = await (await fetch(`${base}${to}`, { headers: { cookie } })).text();
    const res = await post(to ?? '', cookie, { csrf: csrfIn(html), decision: 'approve', reason: 'checked with the vendor' });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('You approved');
    expect(res.headers.get('set-cookie')).toContain('Max-Age=0');
    expect(decided()).toEqual([{ person: { tenant: 'acme', principal: 'bob' }, requestId: r.id, decision: 'APPROVE', reason: 'checked with the vendor', acknowledged: [] }]);
    expect(await redis.exists(linkGuardKey('acme', linkId))).toBe(1);

    // Replayed: the link, the page and the form are all refused, and nothing more is decided.
    const again = await open(token);
    expect(again.res.status).toBe(410);
    expect(again.html).toContain('already used');
    expect(again.setCookie).toBe('');
    expect((await fetch(`${base}${to}`, { headers: { cookie } })).status).toBe(410);
    expect((await post(to ?? '', cookie, { csrf: csrfIn(html), decision: 'decline', reason: 'again' })).status).toBe(410);
    expect(decided()).toHaveLength(1);
  });

  it('refuses a POST without the CSRF token, from another origin, or without a reason, and decides nothing', async () => {
    const { token, decided } = await pendingRequest();
    const { cookie, to } = await open(token);
    const csrf = csrfIn(await (await fetch(`${base}${to}`, { headers: { cookie } })).text());
    expect((await post(to ?? '', cookie, { decision: 'approve', reason: 'x' })).status).toBe(403);
    expect((await post(to ?? '', cookie, { csrf: `${csrf}x`, decision: 'approve', reason: 'x' })).status).toBe(403);
    expect((await post(to ?? '', cookie, { csrf, decision: 'approve', reason: 'x' }, { origin: 'https://evil.example' })).status).toBe(403);
    const noReason = await post(to ?? '', cookie, { csrf, decision: 'approve', reason: '  ' });
    expect(noReason.status).toBe(400);
    expect(await noReason.text()).toContain('reason: is required');
    expect((await post(to ?? '', '', { csrf, decision: 'approve', reason: 'x' })).status).toBe(400);
    expect(decided()).toEqual([]);
    // The link is still good after refused attempts.
    expect((await post(to ?? '', cookie, { csrf, decision: 'decline', reason: 'not this week' })).status).toBe(200);
  });

  it('refuses expired and tampered links with a clear page, and a session on another request', async () => {
    const expired = await pendingRequest({}, 1000);
    now = new Date(now.getTime() + 2000);
    const e = await open(expired.token);
    expect(e.res.status).toBe(410);
    expect(e.html).toContain('This link has expired');
    expect(e.setCookie).toBe('');

    const good = await pendingRequest();
    const t = await open(`${good.token.slice(0, -4)}AAAA`);
    expect(t.res.status).toBe(400);
    expect(t.html).toContain('This link is not valid');
    expect((await open('')).res.status).toBe(400);

    const other = await pendingRequest();
    const { cookie } = await open(good.token);
    const res = await fetch(`${base}/email/requests/acme/${other.r.id}`, { headers: { cookie: cookie } });
    // The browser would not even send it there (Path); sent anyway, it is refused.
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('This page belongs to another request');
    expect([...expired.decided(), ...good.decided(), ...other.decided()]).toEqual([]);
  });

  it('offers only Decline where the policy needs a step-up, and links the portal', async () => {
    const { r, token } = await pendingRequest({ requireStepUpToApprove: true });
    const { cookie, to } = await open(token);
    const html = await (await fetch(`${base}${to}`, { headers: { cookie } })).text();
    expect(html).toContain('needs a fresh sign-in (step-up)');
    expect(html).toContain(`href="https://assent.example.test/requests/acme/${r.id}"`);
    expect(html).not.toContain('value="approve"');
    expect(html).toContain('value="decline"');
  });
});

import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { DomainError, InvalidArgumentError, patterns, type HttpHandler, type Logger } from '@assent/platform';
import { approvalsv1 } from '@assent/proto';
import { newPortalId } from '../../../adapters/redis/redis-portal-sessions.js';
import { SignInError } from '../../../adapters/oidc/openid-sign-in.js';
import { SNOOZE_PRESETS, TABS, bulkResultBody, inboxBody, requestPath, type InboxFilters, type Tab } from './inbox-page.js';
import { html, layout, type Html, type Viewer } from './portal-html.js';
import type { PortalApprovals, PortalSession, PortalSessionStore, PortalStepUps, SignInFlow } from './portal-ports.js';
import { requestBody } from './request-page.js';
import { decodeSegment, readCookie, readForm } from '../http-request.js';

export const SESSION_COOKIE = 'assent_portal';
export const SIGN_IN_COOKIE = 'assent_portal_signin';
export const CALLBACK_PATH = '/auth/callback';
const SIGN_IN_TTL_SECONDS = 600;
const REQUEST = /^\/requests\/([^/]+)\/([^/]+?)(?:\/(act|snooze|reassign))?\/?$/;

export interface PortalDeps {
  signIn: SignInFlow;
  sessions: PortalSessionStore;
  approvals: PortalApprovals;
  /** Absent: a strong sign-in is only shown, never turned into a step-up session. */
  stepUps?: PortalStepUps | undefined;
}

/** What a finished action says on the page it returns to (a fixed set: nothing from the URL is echoed). */
const DONE: Record<string, string> = {
  approve: 'You approved this request.',
  decline: 'You declined this request.',
  request_changes: 'You asked the requester for changes.',
  comment: 'Your comment was added.',
  snooze: 'Snoozed: it returns to your pending inbox by itself.',
  reassign: 'Your part was passed on.',
};

class PortalError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The approver portal on the notifier's HTTP port: OIDC sign-in (authorization code
 * with PKCE), a server-side session in Redis behind a random HttpOnly cookie, the inbox
 * and the request page. Every page is server-rendered and escaped, with no script:
 * CSP allows only styles carrying the response's nonce, forms post only here, and the
 * page is never framed. Every form carries the session's CSRF token and a foreign
 * Origin is refused. approvals is called with the person's own access token.
 */
export function portalHandler(deps: PortalDeps, opts: { publicBaseUrl: string; logger: Logger }): HttpHandler {
  const secure = opts.publicBaseUrl.startsWith('https:');
  const origin = new URL(opts.publicBaseUrl).origin;
  const cookie = (name: string, value: string, path: string, maxAge: number) =>
    `${name}=${value}; Path=${path}; Max-Age=${maxAge}; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;

  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://notifier.invalid');
    const path = url.pathname;
    const m = REQUEST.exec(path);
    const ours = path === '/' || path === '/inbox' || path === '/inbox/bulk' || path.startsWith('/auth/') || m !== null;
    if (!ours) return false;
    const nonce = randomBytes(16).toString('base64');
    const send = (status: number, title: string, body: Html, viewer?: Viewer, headers: Record<string, string | string[]> = {}) =>
      void res.writeHead(status, { ...securityHeaders(nonce), ...headers }).end(req.method === 'HEAD' ? undefined : layout(nonce, title, body, viewer));
    const redirect = (to: string, headers: Record<string, string | string[]> = {}) => void res.writeHead(303, { ...securityHeaders(nonce), location: to, ...headers }).end();
    const isGet = req.method === 'GET' || req.method === 'HEAD';
    const sessionId = readCookie(req, SESSION_COOKIE);
    let session: PortalSession | undefined;
    let viewer: Viewer | undefined;

    const signInFirst = () => redirect(`/auth/sign-in?return_to=${encodeURIComponent(path + url.search)}`);
    const fail = (err: unknown, back?: string) => {
      const again = back ? html` <a href="${back}">Back</a>` : '';
      if (err instanceof PortalError) return send(err.status, err.title, html`<p class="error" role="alert">${err.message}</p>${again}`, viewer);
      if (err instanceof SignInError) return send(400, 'Sign-in failed', html`<p class="error" role="alert">${err.message}</p><p><a href="/auth/sign-in">Sign in again</a></p>`);
      if (err instanceof InvalidArgumentError) {
        return send(400, 'Please check the form', html`<p class="error" role="alert">${err.violations.map((v) => `${v.field}: ${v.description}`).join('; ')}</p><p>Nothing was changed.${again}</p>`, viewer);
      }
      if (err instanceof DomainError) {
        if (err.kind === 'unauthenticated') {
          if (sessionId) void deps.sessions.delete(sessionId).catch(() => undefined);
          return send(401, 'Please sign in again', html`<p>Your sign-in has ended.</p><p><a href="/auth/sign-in?return_to=${encodeURIComponent(back ?? path)}">Sign in again</a></p>`, undefined, { 'set-cookie': cookie(SESSION_COOKIE, '', '/', 0) });
        }
        const status = ({ not_found: 404, permission_denied: 403, failed_precondition: 409, unavailable: 503, resource_exhausted: 429, conflict: 409 } as Record<string, number>)[err.kind] ?? 400;
        const text = err.kind === 'unavailable' ? 'Assent cannot be reached right now. Please try again in a minute.' : err.message;
        return send(status, status === 503 ? 'Try again shortly' : 'Nothing was changed', html`<p class="error" role="alert">${text}</p><p>Nothing was changed.${again}</p>`, viewer);
      }
      opts.logger.error({ err }, 'portal page failed');
      return send(500, 'Something went wrong', html`<p class="error" role="alert">Something went wrong on our side; nothing was changed. Please try again.</p>`, viewer);
    };

    try {
      // --- sign-in, callback, sign-out: the only pages without a session ---
      if (path === '/auth/sign-in') {
        if (!isGet) throw new PortalError(405, 'Not allowed', 'Use the sign-in link.');
        const returnTo = localPath(url.searchParams.get('return_to'));
        const { url: to, pending } = await deps.signIn.start(returnTo, { strong: url.searchParams.get('strong') === '1' });
        const id = newPortalId();
        await deps.sessions.savePending(id, pending, SIGN_IN_TTL_SECONDS);
        // Lax, so the provider's redirect back (a top-level GET from its site) carries it.
        redirect(to, { 'set-cookie': cookie(SIGN_IN_COOKIE, id, CALLBACK_PATH, SIGN_IN_TTL_SECONDS) });
        return true;
      }
      if (path === CALLBACK_PATH) {
        if (!isGet) throw new PortalError(405, 'Not allowed', 'The provider returns here with a GET.');
        const id = readCookie(req, SIGN_IN_COOKIE);
        const pending = id ? await deps.sessions.takePending(id) : undefined;
        const clear = cookie(SIGN_IN_COOKIE, '', CALLBACK_PATH, 0);
        // The sign-in must have started in this browser, and only once: state is checked against it below.
        if (!pending) throw new PortalError(400, 'Sign-in failed', 'This sign-in was not started here, was already used or took too long. Please sign in again.');
        if (url.searchParams.get('state') !== pending.state) throw new PortalError(400, 'Sign-in failed', 'The sign-in answer does not match the sign-in started here (state). Please sign in again.');
        const signedIn = await deps.signIn.finish(new URL(`${opts.publicBaseUrl}${path}${url.search}`), pending);
        if (signedIn.strong && deps.stepUps) {
          // A fresh strong sign-in is what a step-up proves: authz opens the session approvals checks.
          // If authz refuses (too old, weaker than it asks), the person is signed in without one and the page says so.
          await deps.stepUps.open(signedIn.accessToken, signedIn.tenant).catch((err: unknown) => opts.logger.warn({ err, subject: signedIn.subject }, 'step-up after a strong sign-in was refused'));
        }
        if (sessionId) await deps.sessions.delete(sessionId);
        const fresh = { ...signedIn, csrf: randomBytes(32).toString('base64url') };
        const sid = await deps.sessions.create(fresh);
        const maxAge = Math.max(1, Math.floor((fresh.expiresAt - Date.now()) / 1000));
        // The code and state stay in this one URL, answered with a redirect to a clean one.
        redirect(pending.returnTo, { 'set-cookie': [clear, cookie(SESSION_COOKIE, sid, '/', maxAge)] });
        return true;
      }

      session = sessionId ? await deps.sessions.get(sessionId) : undefined;
      viewer = session && { subject: session.subject, tenant: session.tenant, name: session.name, csrf: session.csrf };

      if (path === '/auth/sign-out') {
        if (req.method !== 'POST') throw new PortalError(405, 'Not allowed', 'Sign out with the button.');
        const form = await readForm(req);
        if (session) checkForm(req, origin, session, form);
        if (sessionId) await deps.sessions.delete(sessionId);
        viewer = undefined;
        send(200, 'Signed out', html`<p>You are signed out of the Assent portal.</p><p><a href="/auth/sign-in">Sign in again</a></p>`, undefined, { 'set-cookie': cookie(SESSION_COOKIE, '', '/', 0) });
        return true;
      }
      if (path.startsWith('/auth/')) return false;
      if (!session || !viewer) {
        if (isGet) signInFirst();
        else send(401, 'Please sign in', html`<p>You are not signed in, so nothing was changed.</p><p><a href="/auth/sign-in">Sign in</a></p>`);
        return true;
      }
      if (path === '/') {
        redirect('/inbox');
        return true;
      }

      if (path === '/inbox') {
        if (!isGet) throw new PortalError(405, 'Not allowed', 'Use the inbox page.');
        const f = filters(url);
        const res = await deps.approvals.inbox(session.accessToken, { tenant: session.tenant, tab: TABS[f.tab].proto, action: f.action, requester: f.requester, overdueOnly: f.overdue, pageToken: f.page, pageSize: 50 });
        send(200, 'Inbox', inboxBody(f, res, session.csrf), viewer);
        return true;
      }
      if (path === '/inbox/bulk') {
        if (req.method !== 'POST') throw new PortalError(405, 'Not allowed', 'Use the inbox page.');
        const form = await readForm(req);
        checkForm(req, origin, session, form);
        const ids = form.getAll('id');
        if (!ids.length) throw InvalidArgumentError.field('id', 'select at least one request');
        if (ids.length > 100) throw InvalidArgumentError.field('id', 'select at most 100 requests');
        const kinds: Record<string, approvalsv1.BulkActionKind> = {
          approve: approvalsv1.BulkActionKind.BULK_ACTION_KIND_APPROVE,
          decline: approvalsv1.BulkActionKind.BULK_ACTION_KIND_DECLINE,
          snooze: approvalsv1.BulkActionKind.BULK_ACTION_KIND_SNOOZE,
        };
        const action = form.get('action') ?? '';
        const kind = kinds[action];
        if (kind === undefined) throw InvalidArgumentError.field('action', 'must be approve, decline or snooze');
        const preset = action === 'snooze' ? snoozePreset(form.get('preset')) : approvalsv1.SnoozePreset.SNOOZE_PRESET_UNSPECIFIED;
        const out = await deps.approvals.bulk(session.accessToken, { tenant: session.tenant, ids, action: kind, reason: form.get('reason') ?? '', preset, until: undefined, acknowledged: [] });
        send(200, 'Bulk action', bulkResultBody({ approve: 'Approve', decline: 'Decline', snooze: 'Snooze' }[action] ?? action, out.results, '/inbox'), viewer);
        return true;
      }

      // --- the request page and its forms ---
      const tenant = decodeSegment(m?.[1]);
      const id = decodeSegment(m?.[2]);
      if (!tenant || !id || !patterns.tenant.test(tenant) || !patterns.id.test(id)) throw new PortalError(404, 'Request not found', 'This is not a valid Assent request address.');
      if (tenant !== session.tenant) throw new PortalError(403, 'Another tenant', `This request belongs to tenant ${tenant}; you are signed in to ${session.tenant}.`);
      const page = requestPath({ tenant, id });
      const sub = m?.[3];
      if (!sub) {
        if (!isGet) throw new PortalError(405, 'Not allowed', 'Use the forms on the request page.');
        const r = await deps.approvals.get(session.accessToken, tenant, id);
        const done = DONE[url.searchParams.get('done') ?? ''];
        const notice = done ? html`<p class="ok" role="status">${done}</p>` : undefined;
        send(200, `${r.action} on ${r.resource}`, requestBody(r, viewer, { strong: session.strong, ...(notice ? { notice } : {}) }), viewer);
        return true;
      }
      if (req.method !== 'POST') throw new PortalError(405, 'Not allowed', 'Use the forms on the request page.');
      try {
        const form = await readForm(req);
        checkForm(req, origin, session, form);
        const token = session.accessToken;
        const reason = form.get('reason') ?? '';
        let did: string;
        if (sub === 'act') {
          did = form.get('decision') ?? '';
          const base = { tenant, id, comment: reason };
          if (did === 'approve') await deps.approvals.approve(token, { ...base, acknowledged: form.getAll('ack'), edits: undefined });
          else if (did === 'decline') await deps.approvals.decline(token, base);
          else if (did === 'request_changes') await deps.approvals.requestChanges(token, base);
          else if (did === 'comment') await deps.approvals.comment(token, base);
          else throw InvalidArgumentError.field('decision', 'must be approve, decline, request_changes or comment');
        } else if (sub === 'snooze') {
          did = 'snooze';
          await deps.approvals.snooze(token, { tenant, id, preset: snoozePreset(form.get('preset')), until: undefined });
        } else {
          did = 'reassign';
          await deps.approvals.reassign(token, { tenant, id, to: (form.get('to') ?? '').trim(), reason });
        }
        redirect(`${page}?done=${did}`);
      } catch (err) {
        fail(err, page);
      }
      return true;
    } catch (err) {
      fail(err);
      return true;
    }
  };
}

function filters(url: URL): InboxFilters {
  const tab = url.searchParams.get('tab') ?? 'pending';
  if (!(tab in TABS)) throw new PortalError(400, 'Unknown tab', 'The inbox has the tabs pending, snoozed and done.');
  return {
    tab: tab as Tab,
    action: (url.searchParams.get('action') ?? '').trim(),
    requester: (url.searchParams.get('requester') ?? '').trim(),
    overdue: url.searchParams.get('overdue') === '1',
    page: url.searchParams.get('page') ?? '',
  };
}

function snoozePreset(value: string | null): approvalsv1.SnoozePreset {
  const p = SNOOZE_PRESETS[value ?? ''];
  if (!p) throw InvalidArgumentError.field('preset', `must be one of ${Object.keys(SNOOZE_PRESETS).join(', ')}`);
  return p.proto;
}

/** A path on this site only (never `//host` or a URL), else the inbox. */
function localPath(value: string | null): string {
  if (!value || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\') || value.startsWith('/auth/')) return '/inbox';
  return value;
}

/** The form's CSRF token must be this session's, and a browser-sent Origin must be ours. */
function checkForm(req: IncomingMessage, origin: string, session: PortalSession, form: URLSearchParams): void {
  const from = req.headers.origin;
  if (from !== undefined && from !== origin) throw new PortalError(403, 'Nothing was changed', 'This form was sent from another site.');
  const sent = Buffer.from(form.get('csrf') ?? '');
  const want = Buffer.from(session.csrf);
  if (sent.length !== want.length || !timingSafeEqual(sent, want)) {
    throw new PortalError(403, 'Nothing was changed', 'This form is out of date or was not sent from this session (CSRF check). Reload the page and try again.');
  }
}

function securityHeaders(nonce: string): Record<string, string> {
  return {
    'content-type': 'text/html; charset=utf-8',
    // No script at all; styles only with this response's nonce; forms post only here; never framed.
    'content-security-policy': `default-src 'none'; style-src 'nonce-${nonce}'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'same-origin',
    'cache-control': 'no-store',
  };
}


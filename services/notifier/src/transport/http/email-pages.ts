import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { DomainError, InvalidArgumentError, patterns, type HttpHandler, type Logger } from '@assent/platform';
import { decideFromEmail } from '../../domain/commands/decide-from-email.js';
import { openEmailLink } from '../../domain/commands/open-email-link.js';
import { showEmailRequest } from '../../domain/commands/show-email-request.js';
import { portalUrl, requestPagePath } from '../../domain/email/email-links.js';
import { escapeHtml } from '../../domain/email/html.js';
import { EmailLinkError, type EmailLinkProblem } from '../../domain/errors.js';
import type { EmailPagesDeps } from '../../domain/ports.js';
import { decisionFormHtml, pageHtml, summaryHtml } from './email-page-html.js';
import { decodeSegment, readCookie, readForm } from './http-request.js';

const OPEN = '/email/open';
const REQUEST = /^\/email\/requests\/([^/]+)\/([^/]+)$/;
const COOKIE = 'assent_email_session';

const linkProblems: Record<EmailLinkProblem, { status: number; title: string; text: string }> = {
  invalid: { status: 400, title: 'This link is not valid', text: 'The link is incomplete or was changed. Open it again from your email, whole.' },
  expired: { status: 410, title: 'This link has expired', text: 'Email links work for a limited time. Decide in the Assent portal instead.' },
  used: { status: 410, title: 'This link was already used', text: 'Each email link decides once. Nothing was changed now.' },
  'other-request': { status: 403, title: 'This page belongs to another request', text: 'Open the link from the email about this request.' },
};

/**
 * The pages an email link leads to, on the notifier's HTTP port:
 * - GET /email/open?token=… checks the link and exchanges it for a session cookie
 *   scoped to that request's page, then moves the browser there (no token in the
 *   address bar or history afterwards). It changes nothing.
 * - GET /email/requests/<tenant>/<id> shows the request and the decision form. Reads only.
 * - POST to the same address (form with the CSRF token) is the only thing that acts.
 */
export function emailPagesHandler(deps: EmailPagesDeps, opts: { publicBaseUrl: string; logger: Logger }): HttpHandler {
  const secure = opts.publicBaseUrl.startsWith('https:');
  const origin = new URL(opts.publicBaseUrl).origin;
  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://notifier.invalid');
    const m = REQUEST.exec(url.pathname);
    if (url.pathname !== OPEN && !m) return false;
    const nonce = randomBytes(16).toString('base64');
    const send = (status: number, title: string, body: string, headers: Record<string, string | string[]> = {}, refreshTo?: string) => {
      res.writeHead(status, { ...securityHeaders(nonce), ...headers }).end(req.method === 'HEAD' ? undefined : pageHtml(nonce, title, body, refreshTo ? { refreshTo } : {}));
    };
    const fail = (err: unknown, back?: string) => {
      const again = back ? ` <a href="${escapeHtml(back)}">Back to the request</a>.` : '';
      if (err instanceof EmailLinkError) {
        const p = linkProblems[err.problem];
        return send(p.status, p.title, `<p>${escapeHtml(p.text)}</p>`);
      }
      if (err instanceof InvalidArgumentError) return send(400, 'Please check the form', `<p class="error">${escapeHtml(err.violations.map((v) => `${v.field}: ${v.description}`).join('; '))}</p><p>Nothing was changed.${again}</p>`);
      if (err instanceof DomainError) {
        const status = ({ not_found: 404, permission_denied: 403, failed_precondition: 409, unavailable: 503, resource_exhausted: 429 } as Record<string, number>)[err.kind] ?? 400;
        const text = err.kind === 'unavailable' ? 'Assent cannot be reached right now. Please try again in a minute.' : err.message;
        return send(status, status === 503 ? 'Try again shortly' : 'Nothing was changed', `<p class="error">${escapeHtml(text)}</p><p>Nothing was changed.${again}</p>`);
      }
      opts.logger.error({ err }, 'email page failed');
      return send(500, 'Something went wrong', `<p class="error">Something went wrong on our side; nothing was changed. Please try again.</p>`);
    };

    if (url.pathname === OPEN) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return methodNotAllowed(res, nonce, 'GET, HEAD'), true;
      try {
        const { claims, session, until } = await openEmailLink(deps, url.searchParams.get('token') ?? '');
        const path = requestPagePath({ tenant: claims.tenant, id: claims.requestId });
        const maxAge = Math.max(1, Math.floor((until.getTime() - deps.clock.now().getTime()) / 1000));
        // A page that moves on by itself rather than a 303: a SameSite=Strict cookie set while
        // arriving from a mail site is not sent on a redirect in that same navigation, but is
        // on a navigation this page (our own site) starts.
        send(200, 'Opening the request…', `<p>Opening the request… <a href="${escapeHtml(path)}">Continue</a></p>`, { 'set-cookie': cookie(COOKIE, session, { path, maxAge, secure }) }, path);
      } catch (err) {
        fail(err);
      }
      return true;
    }

    const tenant = decodeSegment(m?.[1]);
    const requestId = decodeSegment(m?.[2]);
    if (!tenant || !requestId || !patterns.tenant.test(tenant) || !patterns.id.test(requestId)) {
      send(404, 'Request not found', '<p>This is not a valid Assent request address.</p>');
      return true;
    }
    const at = { tenant, requestId };
    const path = requestPagePath({ tenant, id: requestId });
    const session = readCookie(req, COOKIE);
    if (req.method === 'GET' || req.method === 'HEAD') {
      try {
        const { claims, current, csrf } = await showEmailRequest(deps, session, at);
        const portal = portalUrl(deps.portalBaseUrl, current.request);
        send(200, `Approval request: ${current.request.action}`, `${summaryHtml(current)}\n${decisionFormHtml(current, { action: path, csrf, principal: claims.principal, portalUrl: portal })}`);
      } catch (err) {
        fail(err);
      }
      return true;
    }
    if (req.method !== 'POST') return methodNotAllowed(res, nonce, 'GET, HEAD, POST'), true;
    // SameSite=Strict already keeps the cookie off cross-site posts; a foreign Origin is refused as well.
    const from = req.headers.origin;
    if (from !== undefined && from !== origin) {
      send(403, 'Nothing was changed', '<p class="error">This form was sent from another site.</p>');
      return true;
    }
    try {
      const form = await readForm(req);
      const { decision, result } = await decideFromEmail(deps, session, at, { csrf: form.get('csrf') ?? '', decision: form.get('decision') ?? '', reason: form.get('reason') ?? '', acknowledged: form.getAll('ack') });
      const word = decision === 'APPROVE' ? 'approved' : 'declined';
      const state = result.state === 'PENDING' ? ' The request still waits for other approvers.' : ` The request is now ${result.state.toLowerCase().replace('_', ' ')}.`;
      send(200, `You ${word}`, `<p>You ${word} request ${escapeHtml(requestId)} (${escapeHtml(result.request.action)} on ${escapeHtml(result.request.resource)}).${escapeHtml(state)}</p><p>This link is now used. <a href="${escapeHtml(portalUrl(deps.portalBaseUrl, result.request))}">Open it in the Assent portal</a>.</p>`, {
        'set-cookie': cookie(COOKIE, '', { path, maxAge: 0, secure }),
      });
    } catch (err) {
      fail(err, path);
    }
    return true;
  };
}

function securityHeaders(nonce: string): Record<string, string> {
  return {
    'content-type': 'text/html; charset=utf-8',
    // No script at all; styles only with this response's nonce; forms post only here; never framed.
    'content-security-policy': `default-src 'none'; style-src 'nonce-${nonce}'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
  };
}

function methodNotAllowed(res: ServerResponse, nonce: string, allow: string): void {
  res.writeHead(405, { ...securityHeaders(nonce), allow }).end();
}

function cookie(name: string, value: string, o: { path: string; maxAge: number; secure: boolean }): string {
  return `${name}=${value}; Path=${o.path}; Max-Age=${o.maxAge}; HttpOnly; SameSite=Strict${o.secure ? '; Secure' : ''}`;
}


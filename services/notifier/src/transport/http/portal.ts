import { patterns, type HttpHandler } from '@assent/platform';
import { decodeSegment } from './http-request.js';

const ROUTE = /^\/requests\/([^/]+)\/([^/]+)\/?$/;

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/**
 * Placeholder for the approver portal that Slack messages link to: the web inbox
 * is a later issue, so for now the page names the request and how to act on it.
 * Served on the notifier's HTTP port; every other path falls through to /metrics etc.
 */
export function portalHandler(): HttpHandler {
  return (req, res) => {
    const m = ROUTE.exec((req.url ?? '/').split('?')[0] ?? '/');
    if (!m) return false;
    const headers = {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...headers, allow: 'GET, HEAD' }).end();
      return true;
    }
    const [tenant, id] = [decodeSegment(m[1]), decodeSegment(m[2])];
    if (tenant === undefined || id === undefined || !patterns.tenant.test(tenant) || !patterns.id.test(id)) {
      res.writeHead(404, headers).end(page('Request not found', '<p>This is not a valid Assent request link.</p>'));
      return true;
    }
    const t = escapeHtml(tenant);
    const r = escapeHtml(id);
    res.writeHead(200, headers).end(
      page(
        `Approval request ${r}`,
        `<p class="notice">Placeholder page: the Assent web inbox is not available yet.</p>
<p>Request <code>${r}</code> in tenant <code>${t}</code>.</p>
<p>For now, approve or decline with the CLI (the Slack buttons need the interactivity endpoint, which is not built yet):</p>
<pre>assentctl --tenant ${t} request approve ${r} --reason "why you approve"
assentctl --tenant ${t} request decline ${r} --reason "why you decline"</pre>`,
      ),
    );
    return true;
  };
}

/** `title` and `body` must already be escaped. */
function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title} · Assent</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}.notice{background:#fff4ce;padding:.5rem 1rem;border-radius:4px}pre{background:#f4f4f4;padding:1rem}</style>
</head><body><h1>${title}</h1>
${body}
</body></html>
`;
}

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics, startHttpServer, type HttpServer } from '@assent/platform';
import { portalHandler } from '../src/transport/http/portal.js';
import { ulidLike } from './support/fixtures.js';

let server: HttpServer;
const get = (path: string, method = 'GET') => fetch(`http://127.0.0.1:${server.port}${path}`, { method });

beforeAll(async () => {
  server = await startHttpServer({ port: 0, host: '127.0.0.1', registry: createMetrics('portal-test').registry, ready: () => true, extra: portalHandler() });
});
afterAll(async () => server?.close());

describe('portal placeholder', () => {
  it('names the request and says to use assentctl, as a locked-down HTML page', async () => {
    const id = ulidLike();
    const res = await get(`/requests/acme/${id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await res.text();
    expect(html).toContain(`<code>${id}</code>`);
    expect(html).toContain('Placeholder page');
    expect(html).toContain(`assentctl --tenant acme request approve ${id}`);
  });

  it('answers 404 for links that are not a tenant and request id, never echoing them', async () => {
    const res = await get(`/requests/${encodeURIComponent('<script>alert(1)</script>')}/${ulidLike()}`);
    expect(res.status).toBe(404);
    const html = await res.text();
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('alert(1)');
    expect((await get('/requests/acme/not-a-ulid')).status).toBe(404);
    expect((await get('/requests/acme/%E0%A4%A')).status).toBe(404);
  });

  it('allows only GET and HEAD, and leaves the ops endpoints alone', async () => {
    expect((await get(`/requests/acme/${ulidLike()}`, 'POST')).status).toBe(405);
    expect((await get(`/requests/acme/${ulidLike()}`, 'HEAD')).status).toBe(200);
    expect(await (await get('/healthz')).text()).toBe('ok\n');
    expect((await get('/metrics')).status).toBe(200);
  });
});

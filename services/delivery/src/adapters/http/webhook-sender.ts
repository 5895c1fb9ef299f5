import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { SendResult, WebhookRequest, WebhookSender } from '../../domain/ports.js';

/**
 * POSTs webhooks with node's HTTP client: no redirects followed (a Location could
 * point anywhere), one deadline for connect + response, the response body discarded.
 * `lookup` lets main.ts pin connections to SSRF-checked addresses.
 */
export class HttpWebhookSender implements WebhookSender {
  constructor(private readonly opts: { lookup?: LookupFunction | undefined; userAgent?: string } = {}) {}

  send(req: WebhookRequest): Promise<SendResult> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    return new Promise<SendResult>((resolve) => {
      let settled = false;
      let timedOut = false;
      const done = (result: SendResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(result);
      };
      let url: URL;
      try {
        url = new URL(req.url);
      } catch {
        return resolve({ kind: 'error', error: 'invalid URL', timedOut: false, durationMs: 0 });
      }
      const body = Buffer.from(req.body, 'utf8');
      const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, {
        method: 'POST',
        headers: { ...req.headers, 'content-length': String(body.length), 'user-agent': this.opts.userAgent ?? 'Assent-Webhooks/1.0' },
        ...(this.opts.lookup ? { lookup: this.opts.lookup } : {}),
      });
      const timer = setTimeout(() => {
        timedOut = true;
        request.destroy(new Error(`no response within ${req.timeoutMs} ms`));
      }, req.timeoutMs);
      request.on('response', (res: IncomingMessage) => {
        const retryAfter = res.headers['retry-after'];
        // The status is all we need; discard the body so the socket can be reused.
        res.resume();
        done({ kind: 'response', status: res.statusCode ?? 0, retryAfter, durationMs: elapsed() });
      });
      request.on('error', (err: NodeJS.ErrnoException) => {
        done({ kind: 'error', error: timedOut ? err.message : `${err.code ? `${err.code}: ` : ''}${err.message}`, timedOut, durationMs: elapsed() });
      });
      request.end(body);
    });
  }
}

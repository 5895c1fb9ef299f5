import { createServer, type IncomingHttpHeaders } from 'node:http';
import { Webhook } from 'standardwebhooks';
import { listenRestartable } from './restartable-http.js';

export interface ReceivedWebhook {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** Standard Webhooks signature check with the receiver's secret; false when no secret is set. */
  verified: boolean;
  /** Status the receiver answered with. */
  status: number;
}

export interface WebhookReceiver {
  url: string;
  requests: ReceivedWebhook[];
  /** Resolves with the requests once at least n arrived; rejects after timeoutMs. */
  waitFor(n: number, timeoutMs?: number): Promise<ReceivedWebhook[]>;
  setSecret(secret: string): void;
  /** Outage: stops listening and drops open connections (senders get ECONNREFUSED); requests are kept. */
  stop(): Promise<void>;
  /** Listens again on the same port after stop() (a no-op while listening). */
  start(): Promise<void>;
  close(): Promise<void>;
}

export interface WebhookReceiverOptions {
  /** Standard Webhooks secret ("whsec_...") to verify signatures with. */
  secret?: string;
  /** Answer the first N requests with 503. */
  failFirst?: number;
  /** Status for every other request (default 204). */
  status?: number;
  /** Port on 127.0.0.1; default 0 (a free one). The local demo uses a fixed port. */
  port?: number;
  /** Called with one line per request and its kind (`<event type> <status>`); the local demo prints deliveries. */
  log?: (line: string, kind: string) => void;
}

/**
 * A webhook endpoint on 127.0.0.1 that records every request and checks its signature
 * the way a real consumer would, with the `standardwebhooks` package.
 */
export async function startWebhookReceiver(opts: WebhookReceiverOptions = {}): Promise<WebhookReceiver> {
  let secret = opts.secret;
  let failuresLeft = opts.failFirst ?? 0;
  const requests: ReceivedWebhook[] = [];
  const waiters = new Set<() => void>();

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let verified = false;
      if (secret) {
        try {
          new Webhook(secret).verify(body, req.headers as Record<string, string>);
          verified = true;
        } catch {
          verified = false;
        }
      }
      let status = opts.status ?? 204;
      if (failuresLeft > 0) {
        failuresLeft -= 1;
        status = 503;
      }
      requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, verified, status });
      res.writeHead(status).end();
      if (opts.log) {
        const type = /"type"\s*:\s*"([^"]+)"/.exec(body.slice(0, 500))?.[1] ?? 'unknown';
        opts.log(
          `${req.method} ${req.url} -> ${status} webhook-id=${String(req.headers['webhook-id'] ?? '-')} verified=${secret ? verified : 'no-secret'} ${body.slice(0, 500)}`,
          `${type} ${status}${secret && !verified ? ' unverified' : ''}`,
        );
      }
      waiters.forEach((w) => w());
    });
  });
  const { port, stop, start } = await listenRestartable(server, opts.port);

  return {
    url: `http://127.0.0.1:${port}/webhook`,
    requests,
    waitFor(n, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (requests.length < n) return;
          cleanup();
          resolve([...requests]);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`webhook receiver got ${requests.length} of ${n} requests within ${timeoutMs} ms`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    setSecret(s) {
      secret = s;
    },
    stop,
    start,
    close: stop,
  };
}

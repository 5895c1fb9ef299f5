import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean> | boolean;

export interface HttpServer {
  port: number;
  server: Server;
  close(): Promise<void>;
}

/**
 * The operational HTTP port: /metrics (Prometheus), /healthz (process up),
 * /readyz (dependencies ready). `extra` handlers run first and return true when
 * they answered (the notifier serves its portal this way).
 */
export async function startHttpServer(opts: {
  port: number;
  host?: string;
  registry: Registry;
  ready: () => boolean;
  extra?: HttpHandler;
}): Promise<HttpServer> {
  const server = createServer((req, res) => {
    void (async () => {
      try {
        if (opts.extra && (await opts.extra(req, res))) return;
        const path = (req.url ?? '/').split('?')[0];
        if (req.method === 'GET' && path === '/metrics') {
          res.writeHead(200, { 'content-type': opts.registry.contentType });
          res.end(await opts.registry.metrics());
        } else if (req.method === 'GET' && path === '/healthz') {
          res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
        } else if (req.method === 'GET' && path === '/readyz') {
          const ok = opts.ready();
          res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' }).end(ok ? 'ready\n' : 'not ready\n');
        } else {
          res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
        }
      } catch (err) {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`internal error: ${(err as Error).message}\n`);
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '0.0.0.0', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

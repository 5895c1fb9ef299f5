import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TargetBehaviour } from '../contract/webhook-sender.contract.js';

/** Real HTTP targets for the sender contract; close() stops all of them. */
export function httpTargets() {
  const servers: Server[] = [];
  return {
    async target(b: TargetBehaviour) {
      const received: { headers: Record<string, string>; body: string }[] = [];
      const server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          received.push({ headers: req.headers as Record<string, string>, body: Buffer.concat(chunks).toString('utf8') });
          if ('hang' in b) return;
          if ('status' in b) res.writeHead(b.status, b.retryAfter ? { 'retry-after': b.retryAfter } : {}).end('ignored body');
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;
      if ('refuse' in b) await new Promise((resolve) => server.close(resolve));
      else servers.push(server);
      return { url: `http://127.0.0.1:${port}/in`, received: () => received };
    },
    async close() {
      for (const s of servers) {
        s.closeAllConnections();
        await new Promise((resolve) => s.close(resolve));
      }
    },
  };
}

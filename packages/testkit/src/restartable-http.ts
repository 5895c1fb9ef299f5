import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Listens on 127.0.0.1 (port 0: a free one) and gives the local HTTP sinks a
 * stop()/start() pair for outage tests: stop closes every connection, start listens
 * again on the same port so clients reconnect to the same address.
 */
export async function listenRestartable(server: Server, port = 0): Promise<{ port: number; stop(): Promise<void>; start(): Promise<void> }> {
  const listen = (p: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(p, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  await listen(port);
  const bound = (server.address() as AddressInfo).port;
  return {
    port: bound,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        if (!server.listening) return resolve();
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
    start: () => (server.listening ? Promise.resolve() : listen(bound)),
  };
}

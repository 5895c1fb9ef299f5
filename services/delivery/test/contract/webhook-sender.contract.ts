import { describe, expect, it } from 'vitest';
import type { WebhookSender } from '../../src/domain/ports.js';

export type TargetBehaviour = { status: number; retryAfter?: string } | { refuse: true } | { hang: true };

export interface SenderUnderTest {
  sender: WebhookSender;
  /** A URL that behaves as asked; `received` lists what reached it. */
  target(behaviour: TargetBehaviour): Promise<{ url: string; received: () => { headers: Record<string, string>; body: string }[] }>;
}

/** One contract for every WebhookSender: node's HTTP client and its scripted twin. */
export function webhookSenderContract(name: string, make: () => Promise<SenderUnderTest>): void {
  const body = JSON.stringify({ id: '01J00000000000000000000001', data: { note: 'ünïcødé' } });
  const headers = { 'content-type': 'application/json', 'webhook-id': '01J00000000000000000000001', 'webhook-timestamp': '1700000000', 'webhook-signature': 'v1,abc' };

  describe(`WebhookSender contract: ${name}`, () => {
    it('POSTs the body and headers and reports the status', async () => {
      const { sender, target } = await make();
      const t = await target({ status: 204 });
      const result = await sender.send({ url: t.url, headers, body, timeoutMs: 2_000 });
      expect(result).toMatchObject({ kind: 'response', status: 204, retryAfter: undefined });
      expect(result.durationMs).toBeGreaterThanOrEqual(0);
      const [got] = t.received();
      expect(got?.body).toBe(body);
      expect(got?.headers).toMatchObject(headers);
    });

    it('reports an error status with its Retry-After', async () => {
      const { sender, target } = await make();
      const t = await target({ status: 429, retryAfter: '30' });
      expect(await sender.send({ url: t.url, headers, body, timeoutMs: 2_000 })).toMatchObject({ kind: 'response', status: 429, retryAfter: '30' });
    });

    it('reports a refused connection as an error, not a throw', async () => {
      const { sender, target } = await make();
      const t = await target({ refuse: true });
      expect(await sender.send({ url: t.url, headers, body, timeoutMs: 2_000 })).toMatchObject({ kind: 'error', timedOut: false });
    });

    it('gives up waiting after timeoutMs', async () => {
      const { sender, target } = await make();
      const t = await target({ hang: true });
      expect(await sender.send({ url: t.url, headers, body, timeoutMs: 200 })).toMatchObject({ kind: 'error', timedOut: true });
    });
  });
}

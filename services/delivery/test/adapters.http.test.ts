import { afterAll, describe, expect, it } from 'vitest';
import { guardedLookup } from '../src/adapters/http/guarded-lookup.js';
import { HttpWebhookSender } from '../src/adapters/http/webhook-sender.js';
import { DnsHostResolver } from '../src/adapters/dns/host-resolver.js';
import { hostResolverContract } from './contract/host-resolver.contract.js';
import { webhookSenderContract } from './contract/webhook-sender.contract.js';
import { httpTargets } from './support/http-target.js';

// Local sockets and the system resolver only: no NATS or Redis, so these run with the unit tier.
const targets = httpTargets();
afterAll(() => targets.close());

webhookSenderContract('http', async () => ({ sender: new HttpWebhookSender(), target: (b) => targets.target(b) }));
hostResolverContract('dns', async () => new DnsHostResolver());

describe('HttpWebhookSender with the guarded lookup', () => {
  it('refuses to connect when the name resolves to a non-public address', async () => {
    const t = await targets.target({ status: 204 });
    const sender = new HttpWebhookSender({ lookup: guardedLookup });
    const result = await sender.send({ url: t.url.replace('127.0.0.1', 'localhost'), headers: {}, body: '{}', timeoutMs: 2_000 });
    expect(result).toMatchObject({ kind: 'error', error: expect.stringContaining('non-public address') });
    expect(t.received()).toEqual([]);
  });

  it('does not follow redirects', async () => {
    const t = await targets.target({ status: 307 });
    expect(await new HttpWebhookSender().send({ url: t.url, headers: {}, body: '{}', timeoutMs: 2_000 })).toMatchObject({ kind: 'response', status: 307 });
  });
});

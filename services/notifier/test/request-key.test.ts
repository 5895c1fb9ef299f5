import { describe, expect, it } from 'vitest';
import { headers } from '@nats-io/nats-core';
import { requestKey } from '../src/transport/nats/request-key.js';

const data = (body: unknown) => new TextEncoder().encode(JSON.stringify(body));

describe('requestKey', () => {
  it('is <tenant>/<ce-subject>, the tenant from the NATS subject', () => {
    const h = headers();
    h.set('ce-subject', 'request/01J0000000000000000000000A');
    expect(requestKey('assent', { subject: 'assent.evt.acme.approval.requested.v1', headers: h, data: data({}) })).toBe('acme/request/01J0000000000000000000000A');
  });

  it('reads the subject from the payload when the header is absent', () => {
    const msg = { subject: 'assent.evt.globex.approval.decided.v1', headers: undefined, data: data({ subject: 'request/01J0000000000000000000000B' }) };
    expect(requestKey('assent', msg)).toBe('globex/request/01J0000000000000000000000B');
  });

  it('throws for a message with no subject at all', () => {
    expect(() => requestKey('assent', { subject: 'assent.evt.acme.approval.voted.v1', headers: undefined, data: data({}) })).toThrow(/no subject/);
    expect(() => requestKey('assent', { subject: 'assent.evt.acme.approval.voted.v1', headers: undefined, data: new TextEncoder().encode('{nope') })).toThrow();
  });
});

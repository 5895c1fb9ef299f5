import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { isBlockedAddress } from '../../domain/ssrf-guard.js';

/**
 * A socket `lookup` that refuses non-public addresses. The domain checks the URL just
 * before sending, but DNS could answer differently a moment later (rebinding); checking
 * here, on the very addresses the socket connects to, closes that gap.
 */
export const guardedLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
    if (err) return callback(err, '', 0);
    const bad = addresses.find((a) => isBlockedAddress(a.address));
    if (bad || addresses.length === 0) {
      const e: NodeJS.ErrnoException = new Error(`${hostname} resolves to a non-public address (${bad?.address ?? 'none'}); refused`);
      e.code = 'EADDRBLOCKED';
      return callback(e, '', 0);
    }
    if (options.all) return callback(null, addresses);
    const first = addresses[0] as LookupAddress;
    return callback(null, first.address, first.family);
  });
};

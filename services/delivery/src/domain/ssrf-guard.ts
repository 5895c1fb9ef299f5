import { BlockList, isIP } from 'node:net';
import type { HostResolver } from './ports.js';

/**
 * Addresses a webhook must never reach: an endpoint URL is attacker-controlled input,
 * and without this guard it could make the platform call its own metadata service,
 * Redis or admin ports (SSRF).
 */
const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], // "this network", incl. unspecified 0.0.0.0
  ['10.0.0.0', 8], // RFC 1918
  ['100.64.0.0', 10], // CGNAT (RFC 6598)
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, incl. cloud metadata 169.254.169.254
  ['172.16.0.0', 12], // RFC 1918
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.168.0.0', 16], // RFC 1918
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, incl. broadcast 255.255.255.255
] as const) {
  blocked.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 96], // unspecified, loopback ::1 and deprecated IPv4-compatible forms
  ['100::', 64], // discard-only
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local (ULA)
  ['fe80::', 10], // link-local
  ['fec0::', 10], // deprecated site-local
  ['ff00::', 8], // multicast
] as const) {
  blocked.addSubnet(net, prefix, 'ipv6');
}

/** The eight 16-bit groups of an IPv6 address (accepts an embedded dotted quad). */
function ipv6Groups(address: string): number[] {
  let text = address.toLowerCase();
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  const quad = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (quad) {
    const [a, b, c, d] = quad.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, quad.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const h = head ? head.split(':') : [];
  const t = tail === undefined ? [] : tail ? tail.split(':') : [];
  const fill = tail === undefined ? [] : new Array<string>(8 - h.length - t.length).fill('0');
  return [...h, ...fill, ...t].map((g) => parseInt(g, 16));
}

/** The IPv4 address carried inside IPv4-mapped (::ffff:0:0/96) or NAT64 (64:ff9b::/96) forms. */
function embeddedIpv4(address: string): string | undefined {
  const g = ipv6Groups(address);
  const mapped = g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff;
  const nat64 = g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0);
  if (!mapped && !nat64) return undefined;
  const hi = g[6] ?? 0;
  const lo = g[7] ?? 0;
  return `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
}

/** True for any address that is not a public unicast address (or not an address at all). */
export function isBlockedAddress(address: string): boolean {
  const family = isIP(address.split('%')[0] ?? '');
  if (family === 4) return blocked.check(address, 'ipv4');
  if (family !== 6) return true;
  const v4 = embeddedIpv4(address);
  if (v4 !== undefined) return blocked.check(v4, 'ipv4');
  return blocked.check(address.split('%')[0] ?? '', 'ipv6');
}

export type TargetCheck =
  | { ok: true }
  | { ok: false; kind: 'invalid' | 'blocked' | 'not_found' | 'dns_error'; reason: string };

/** URL.hostname keeps IPv6 literals in brackets. */
export function hostOf(url: URL): string {
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
}

/**
 * Checks that a URL is http(s) and that every address its host resolves to is public.
 * Run when an endpoint is created and again before each send, because DNS can change
 * (rebinding); the HTTP adapter also pins the connection to a checked address.
 */
export async function checkTarget(rawUrl: string, resolver: HostResolver): Promise<TargetCheck> {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return { ok: false, kind: 'invalid', reason: 'is not a valid URL' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { ok: false, kind: 'invalid', reason: 'must use http or https' };
  const host = hostOf(url);
  if (isIP(host)) {
    return isBlockedAddress(host) ? { ok: false, kind: 'blocked', reason: `targets a non-public address (${host})` } : { ok: true };
  }
  let addresses: string[];
  try {
    addresses = await resolver.resolve(host);
  } catch (err) {
    return { ok: false, kind: 'dns_error', reason: `DNS lookup of ${host} failed: ${(err as Error).message}` };
  }
  if (addresses.length === 0) return { ok: false, kind: 'not_found', reason: `host ${host} does not resolve` };
  const bad = addresses.find(isBlockedAddress);
  if (bad) return { ok: false, kind: 'blocked', reason: `host ${host} resolves to a non-public address (${bad})` };
  return { ok: true };
}

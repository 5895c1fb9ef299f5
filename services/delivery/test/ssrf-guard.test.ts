import { describe, expect, it } from 'vitest';
import { MemoryHostResolver } from '../src/adapters/memory/host-resolver.js';
import { checkTarget, isBlockedAddress } from '../src/domain/ssrf-guard.js';

describe('isBlockedAddress', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback range'],
    ['10.0.0.1', 'RFC 1918'],
    ['172.16.0.1', 'RFC 1918'],
    ['172.31.255.255', 'RFC 1918'],
    ['192.168.1.1', 'RFC 1918'],
    ['100.64.0.1', 'CGNAT'],
    ['100.127.255.255', 'CGNAT'],
    ['169.254.169.254', 'cloud metadata'],
    ['169.254.0.1', 'link-local'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['0.0.0.0', 'unspecified'],
    ['255.255.255.255', 'broadcast'],
    ['::1', 'IPv6 loopback'],
    ['::', 'IPv6 unspecified'],
    ['fc00::1', 'IPv6 ULA'],
    ['fd12:3456:789a::1', 'IPv6 ULA'],
    ['fe80::1', 'IPv6 link-local'],
    ['fe80::1%eth0', 'IPv6 link-local with zone'],
    ['ff02::1', 'IPv6 multicast'],
    ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
    ['::ffff:7f00:1', 'IPv4-mapped loopback, hex form'],
    ['::ffff:10.0.0.1', 'IPv4-mapped private'],
    ['::ffff:169.254.169.254', 'IPv4-mapped metadata'],
    ['64:ff9b::a9fe:a9fe', 'NAT64 of metadata'],
    ['::127.0.0.1', 'IPv4-compatible loopback'],
    ['not-an-ip', 'not an address'],
  ])('blocks %s (%s)', (address) => {
    expect(isBlockedAddress(address)).toBe(true);
  });

  it.each([
    ['93.184.216.34'],
    ['8.8.8.8'],
    ['1.1.1.1'],
    ['172.32.0.1'],
    ['100.128.0.1'],
    ['2606:4700:4700::1111'],
    ['2001:4860:4860::8888'],
    ['::ffff:8.8.8.8'],
    ['64:ff9b::808:808'],
  ])('allows public %s', (address) => {
    expect(isBlockedAddress(address)).toBe(false);
  });
});

describe('checkTarget', () => {
  const resolver = new MemoryHostResolver({
    'hooks.example.com': ['93.184.216.34'],
    'mixed.example.com': ['93.184.216.34', '10.0.0.5'],
    localhost: ['127.0.0.1'],
  });

  it('accepts a public host and a public IP literal', async () => {
    expect(await checkTarget('https://hooks.example.com/in', resolver)).toEqual({ ok: true });
    expect(await checkTarget('http://93.184.216.34:8080/in', resolver)).toEqual({ ok: true });
  });

  it.each([
    'http://127.0.0.1/',
    'http://localhost:9000/',
    'http://[::1]/',
    'http://[::ffff:127.0.0.1]/',
    'http://2130706433/', // 127.0.0.1 as a decimal integer
    'http://0x7f.0.0.1/',
    'http://169.254.169.254/latest/meta-data/',
    'https://mixed.example.com/',
  ])('rejects %s as non-public', async (url) => {
    expect(await checkTarget(url, resolver)).toMatchObject({ ok: false, kind: 'blocked' });
  });

  it('rejects other schemes and hosts that do not resolve', async () => {
    expect(await checkTarget('ftp://hooks.example.com/', resolver)).toMatchObject({ ok: false, kind: 'invalid' });
    expect(await checkTarget('https://nope.example.com/', resolver)).toMatchObject({ ok: false, kind: 'not_found' });
  });

  it('reports a DNS failure as such, not as a bad URL', async () => {
    const failing = { resolve: async () => Promise.reject(new Error('SERVFAIL')) };
    expect(await checkTarget('https://hooks.example.com/', failing)).toMatchObject({ ok: false, kind: 'dns_error' });
  });
});

import { describe, expect, it } from 'vitest';
import { canonicalJson } from '@assent/platform';

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops whitespace, so equal content hashes equally', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: true, y: null }], c: 'x' } })).toBe('{"a":{"c":"x","d":[{"y":null,"z":true}]},"b":1}');
    expect(canonicalJson({ a: 1, b: 2 })).toBe(canonicalJson({ b: 2, a: 1 }));
  });

  it('writes numbers and strings as RFC 8785 does', () => {
    expect(canonicalJson([1e21, 0.1, -0, 'é\u2028"'])).toBe('[1e+21,0.1,0,"é\u2028\\""]');
  });
});

import { describe, expect, it } from 'vitest';
import { escapeMrkdwn, fitPlain, inlineCode, quote } from '../src/domain/slack/mrkdwn.js';

describe('mrkdwn escaping', () => {
  it('escapes the three control characters and nothing else', () => {
    expect(escapeMrkdwn('a < b && c > d *bold* _it_')).toBe('a &lt; b &amp;&amp; c &gt; d *bold* _it_');
  });

  it('truncates on whole entities and marks the cut', () => {
    expect(escapeMrkdwn('abc', 3)).toBe('abc');
    expect(escapeMrkdwn('abcd', 3)).toBe('ab…');
    expect(escapeMrkdwn('a<b', 5)).toBe('a…');
  });

  it('keeps inline code on one line and unbreakable', () => {
    expect(inlineCode('a`b\nc')).toBe('`aˋb c`');
    expect(inlineCode('')).toBe('` `');
  });

  it('quotes every line', () => {
    expect(quote('one\n> two', 100)).toBe('>one\n>&gt; two');
  });

  it('fits plain text by characters, not UTF-16 units', () => {
    expect(fitPlain('😀😀😀', 2)).toBe('😀…');
    expect(fitPlain('a\nb', 10)).toBe('a b');
  });
});

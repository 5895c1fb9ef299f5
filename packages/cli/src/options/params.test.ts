import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { collectParam, jsonObject, paramValue, parseParam } from './params.js';

describe('paramValue', () => {
  it.each([
    ['120', 120],
    ['-1.5', -1.5],
    ['true', true],
    ['null', null],
    ['"0123"', '0123'],
    ['[1,"a"]', [1, 'a']],
    ['{"iban":"DE89"}', { iban: 'DE89' }],
  ])('reads %j as JSON', (text, value) => {
    expect(paramValue(text)).toEqual(value);
  });

  it.each(['EUR', '01234', 'hello world', '', '{not json', 'True'])('keeps %j as the string it is', (text) => {
    expect(paramValue(text)).toBe(text);
  });

  it('refuses a number JSON cannot carry exactly, and says how to send it as a string', () => {
    expect(() => paramValue('12345678901234567890')).toThrow(InvalidArgumentError);
    expect(() => paramValue('12345678901234567890')).toThrow(`12345678901234567890 does not fit a JSON number exactly; quote it to send a string, e.g. '"12345678901234567890"'`);
    expect(() => paramValue('1e400')).toThrow(/does not fit a JSON number/);
    expect(paramValue('"12345678901234567890"')).toBe('12345678901234567890');
  });
});

describe('parseParam', () => {
  it('splits at the first "=", so values may contain "="', () => {
    expect(parseParam('amount=120')).toEqual(['amount', 120]);
    expect(parseParam('note=a=b')).toEqual(['note', 'a=b']);
    expect(parseParam('memo=')).toEqual(['memo', '']);
    expect(parseParam('note=null')).toEqual(['note', null]);
  });

  it.each(['amount', '=120', ' =1'])('refuses %j with the expected form', (text) => {
    expect(() => parseParam(text)).toThrow(InvalidArgumentError);
    expect(() => parseParam(text)).toThrow(`"${text}" is not key=value, e.g. amount=120 or currency=EUR`);
  });
});

describe('collectParam', () => {
  it('collects repeated key=value options into one object, a later key winning', () => {
    const collected = ['amount=120', 'currency=EUR', 'amount=80', 'note=null'].reduce<Record<string, unknown> | undefined>((prev, t) => collectParam(t, prev), undefined);
    expect(collected).toEqual({ amount: 80, currency: 'EUR', note: null });
  });
});

describe('jsonObject', () => {
  it('reads a JSON object', () => {
    expect(jsonObject('{"amount": 120, "currency": "EUR"}')).toEqual({ amount: 120, currency: 'EUR' });
  });

  it.each([
    ['{amount: 120}', /^is not JSON \(.+\); give an object, e\.g\. '\{"amount": 120, "currency": "EUR"\}'$/],
    ['[1, 2]', /^must be a JSON object, e\.g\. .+, got \[1,2\]$/],
    ['null', /got null$/],
    ['"EUR"', /got "EUR"$/],
  ])('refuses %j', (text, message) => {
    expect(() => jsonObject(text)).toThrow(InvalidArgumentError);
    expect(() => jsonObject(text)).toThrow(message);
  });
});

import { describe, expect, it } from 'vitest';
import { classifyResult } from '../src/domain/classify-result.js';

const response = (status: number) => ({ kind: 'response' as const, status, retryAfter: undefined, durationMs: 5 });

describe('classifyResult', () => {
  it.each([200, 201, 202, 204, 299])('HTTP %i is a success', (status) => {
    expect(classifyResult(response(status)).verdict).toBe('success');
  });

  it.each([408, 429, 500, 502, 503, 504, 599])('HTTP %i is retried', (status) => {
    expect(classifyResult(response(status))).toEqual({ verdict: 'retryable', error: `HTTP ${status}` });
  });

  it.each([400, 401, 403, 404, 405, 410, 413, 422])('HTTP %i is given up at once', (status) => {
    expect(classifyResult(response(status))).toEqual({ verdict: 'permanent', error: `HTTP ${status}` });
  });

  it('does not follow or retry redirects', () => {
    expect(classifyResult(response(301))).toMatchObject({ verdict: 'permanent', error: expect.stringContaining('redirects are not followed') });
  });

  it('retries network errors and timeouts', () => {
    expect(classifyResult({ kind: 'error', error: 'ECONNREFUSED: connect ECONNREFUSED', timedOut: false, durationMs: 1 })).toEqual({
      verdict: 'retryable',
      error: 'ECONNREFUSED: connect ECONNREFUSED',
    });
    expect(classifyResult({ kind: 'error', error: 'no response within 10 ms', timedOut: true, durationMs: 10 })).toEqual({
      verdict: 'retryable',
      error: 'timed out: no response within 10 ms',
    });
  });
});

import type { SendResult } from './ports.js';

export type Classification = { verdict: 'success' } | { verdict: 'retryable' | 'permanent'; error: string };

/**
 * Which results are worth another try. Only failures known to be transient are
 * retried (408, 429, 5xx, no response); any other non-2xx means the request itself is
 * unwelcome, and repeating it would only hammer the receiver.
 */
export function classifyResult(result: SendResult): Classification {
  if (result.kind === 'error') return { verdict: 'retryable', error: result.timedOut ? `timed out: ${result.error}` : result.error };
  const s = result.status;
  if (s >= 200 && s < 300) return { verdict: 'success' };
  if (s === 408 || s === 429 || s >= 500) return { verdict: 'retryable', error: `HTTP ${s}` };
  // Redirects are not followed (the new location would bypass the SSRF guard).
  if (s >= 300 && s < 400) return { verdict: 'permanent', error: `HTTP ${s}: redirects are not followed; update the endpoint URL` };
  return { verdict: 'permanent', error: `HTTP ${s}` };
}

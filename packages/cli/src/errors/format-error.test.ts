import { describe, expect, it } from 'vitest';
import { ClientError, Status } from 'nice-grpc';
import { BadRequest, ErrorInfo, RetryInfo, RichClientError } from 'nice-grpc-error-details';
import { formatError } from './format-error.js';
import { ServiceCallError } from './service-call-error.js';
import { UnreachableError } from './unreachable-error.js';
import { UsageError } from './usage-error.js';

const path = '/assent.approvals.v1.ApprovalsService/PutPolicy';

describe('formatError', () => {
  it('prints the status name, details and each field violation on its own line, exit 1', () => {
    const err = new RichClientError(path, Status.INVALID_ARGUMENT, 'invalid policy', [
      BadRequest.fromPartial({
        fieldViolations: [
          { field: 'policy.approvers[0]', description: 'must be "user:<id>" or "group:<id>#member"' },
          { field: 'policy.quorum', description: 'cannot exceed the 1 listed approvers' },
        ],
      }),
    ]);
    expect(formatError(new ServiceCallError('approvals', '127.0.0.1:50051', err))).toEqual({
      lines: [
        'error: INVALID_ARGUMENT: invalid policy',
        '  - policy.approvers[0]: must be "user:<id>" or "group:<id>#member"',
        '  - policy.quorum: cannot exceed the 1 listed approvers',
      ],
      exitCode: 1,
    });
  });

  it('says when to retry a rate-limited call', () => {
    const err = new RichClientError(path, Status.RESOURCE_EXHAUSTED, 'rate limit exceeded (write per tenant); retry in 1250 ms', [
      RetryInfo.fromPartial({ retryDelay: { seconds: 1, nanos: 250_000_000 } }),
    ]);
    expect(formatError(err)).toEqual({
      lines: ['error: RESOURCE_EXHAUSTED: rate limit exceeded (write per tenant); retry in 1250 ms', 'hint: rate limited; retry in 1.3 s'],
      exitCode: 1,
    });
  });

  it("gives a long wait, such as a policy's daily request cap, as a duration", () => {
    const err = new RichClientError(path, Status.RESOURCE_EXHAUSTED, '3 requests per day for the same action and resource (policy refund-issue)', [
      RetryInfo.fromPartial({ retryDelay: { seconds: 9000, nanos: 0 } }),
    ]);
    expect(formatError(err).lines).toEqual(['error: RESOURCE_EXHAUSTED: 3 requests per day for the same action and resource (policy refund-issue)', 'hint: rate limited; retry in 2h30m']);
  });

  it('shows the ErrorInfo reason of a failed precondition', () => {
    const err = new RichClientError(path, Status.FAILED_PRECONDITION, 'request is already decided', [ErrorInfo.fromPartial({ reason: 'ALREADY_DECIDED', domain: 'assent' })]);
    expect(formatError(err).lines).toEqual(['error: FAILED_PRECONDITION: request is already decided', '  reason: ALREADY_DECIDED']);
  });

  it('exits 3 for UNAVAILABLE and says which service and address to check', () => {
    const err = new ServiceCallError('authz', '127.0.0.1:50052', new ClientError(path, Status.UNAVAILABLE, 'No connection established'));
    const out = formatError(err);
    expect(out.exitCode).toBe(3);
    expect(out.lines[0]).toBe('error: UNAVAILABLE: No connection established');
    expect(out.lines[1]).toMatch(/authz service running at 127\.0\.0\.1:50052\?.*make up/);
  });

  it('exits 3 when the call timed out', () => {
    const abort = Object.assign(new Error('The operation was aborted'), { name: 'AbortError' });
    const out = formatError(new ServiceCallError('audit', '10.0.0.9:50053', abort));
    expect(out).toMatchObject({ exitCode: 3 });
    expect(out.lines[0]).toMatch(/^error: DEADLINE_EXCEEDED: no answer from audit at 10\.0\.0\.9:50053 within 30s$/);
  });

  it('hints at credentials for UNAUTHENTICATED', () => {
    const out = formatError(new ClientError(path, Status.UNAUTHENTICATED, 'invalid token'));
    expect(out.exitCode).toBe(1);
    expect(out.lines).toEqual(['error: UNAUTHENTICATED: invalid token', expect.stringMatching(/^hint: .*--token.*--as/)]);
  });

  it('exits 2 for usage errors with their details, 3 for unreachable NATS, 1 for anything else', () => {
    expect(formatError(new UsageError('invalid policy file p.yaml', ['spec.action (line 3): is required']))).toEqual({
      lines: ['error: invalid policy file p.yaml', '  - spec.action (line 3): is required'],
      exitCode: 2,
    });
    expect(formatError(new UnreachableError('cannot connect to NATS at nats://x:4222: refused', 'run make up'))).toEqual({
      lines: ['error: cannot connect to NATS at nats://x:4222: refused', 'hint: run make up'],
      exitCode: 3,
    });
    expect(formatError(new Error('boom'))).toEqual({ lines: ['error: boom'], exitCode: 1 });
  });
});

import { CommanderError } from 'commander';
import { ClientError, Status } from 'nice-grpc';
import { BadRequest, ErrorInfo, RetryInfo, RichClientError } from 'nice-grpc-error-details';
import { callTimeoutMs } from '../cli-context.js';
import { formatDuration } from '../policy/duration.js';
import { ServiceCallError } from './service-call-error.js';
import { UnreachableError } from './unreachable-error.js';
import { UsageError } from './usage-error.js';

export const exitCodes = { ok: 0, failed: 1, usage: 2, unreachable: 3 } as const;

export interface FormattedError {
  /** Lines for stderr, without trailing newlines. */
  lines: string[];
  exitCode: number;
}

/**
 * Turns anything a command threw into what the user sees and the exit code:
 * 1 the service said no, 2 the command line is wrong, 3 a service is unreachable.
 */
export function formatError(err: unknown): FormattedError {
  if (err instanceof UsageError) {
    return { lines: [`error: ${err.message}`, ...err.details.map((d) => `  - ${d}`)], exitCode: exitCodes.usage };
  }
  if (err instanceof CommanderError) {
    // commander has already printed its own message.
    return { lines: [], exitCode: err.exitCode === 0 ? exitCodes.ok : exitCodes.usage };
  }
  if (err instanceof UnreachableError) {
    return { lines: [`error: ${err.message}`, `hint: ${err.hint}`], exitCode: exitCodes.unreachable };
  }
  const target = err instanceof ServiceCallError ? err : undefined;
  const cause = target ? target.cause : err;
  if (cause instanceof ClientError) return formatClientError(cause, target);
  if (target && isAbort(cause)) {
    return {
      lines: [`error: DEADLINE_EXCEEDED: no answer from ${target.service} at ${target.address} within ${callTimeoutMs / 1000}s`, unreachableHint(target)],
      exitCode: exitCodes.unreachable,
    };
  }
  return { lines: [`error: ${cause instanceof Error ? cause.message : String(cause)}`], exitCode: exitCodes.failed };
}

function formatClientError(err: ClientError, target: ServiceCallError | undefined): FormattedError {
  const lines = [`error: ${Status[err.code] ?? err.code}: ${err.details}`];
  if (err instanceof RichClientError) {
    for (const d of err.extra) {
      if (d.$type === BadRequest.$type) lines.push(...d.fieldViolations.map((v) => `  - ${v.field}: ${v.description}`));
      if (d.$type === ErrorInfo.$type && d.reason) lines.push(`  reason: ${d.reason}`);
      if (d.$type === RetryInfo.$type && d.retryDelay) {
        const ms = Number(d.retryDelay.seconds) * 1000 + Math.ceil(d.retryDelay.nanos / 1e6);
        lines.push(`hint: rate limited; retry in ${retryIn(ms)}`);
      }
    }
  }
  if (err.code === Status.UNAVAILABLE) {
    lines.push(unreachableHint(target));
    return { lines, exitCode: exitCodes.unreachable };
  }
  if (err.code === Status.UNAUTHENTICATED) {
    lines.push('hint: the token was rejected; check --token, or --as with the dev issuer key the services trust');
  }
  return { lines, exitCode: exitCodes.failed };
}

/** 1250 → "1.3 s"; a minute or more (a policy's daily request cap) as a duration, 9000000 → "2h30m". */
function retryIn(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return formatDuration(Math.ceil(ms / 1000));
}

function unreachableHint(target: ServiceCallError | undefined): string {
  return target
    ? `hint: is the ${target.service} service running at ${target.address}? Start the platform with \`make up\`, or point --${target.service} at it`
    : 'hint: is the platform running? Start it with `make up`';
}

function isAbort(err: unknown): boolean {
  return err instanceof Error && (err.name === 'AbortError' || err.name === 'TimeoutError');
}

import { classifyResult, type Classification } from '../classify-result.js';
import type { DeliveryDeps, SendResult } from '../ports.js';
import { parseRetryAfterMs, retryDelayMs } from '../retry-schedule.js';
import { signWebhook } from '../sign-webhook.js';
import { checkTarget } from '../ssrf-guard.js';
import type { AttemptOutcome, DeliveryOutcome, DeliveryTask } from '../types.js';

/**
 * One HTTP attempt of a task (attempt is 1-based), logged whatever happens, and the
 * decision that follows: delivered, retry after N ms, or give up. The SSRF check runs
 * again here because the endpoint's DNS may have changed since it was created.
 */
export async function deliverTask(deps: DeliveryDeps, task: DeliveryTask, attempt: number): Promise<DeliveryOutcome> {
  const endpoint = await deps.endpoints.get(task.tenant, task.endpointId);
  if (!endpoint) return { kind: 'dropped', reason: `endpoint ${task.endpointId} no longer exists` };
  if (endpoint.disabled) return { kind: 'dropped', reason: `endpoint ${task.endpointId} is disabled` };

  const startedAt = deps.clock.now();
  let result: SendResult | undefined;
  let verdict: Classification;
  const target = deps.allowPrivateTargets ? ({ ok: true } as const) : await checkTarget(endpoint.url, deps.resolver);
  if (!target.ok) {
    // A name that stopped resolving may come back; one that now points inside never should.
    const transient = target.kind === 'dns_error' || target.kind === 'not_found';
    verdict = { verdict: transient ? 'retryable' : 'permanent', error: `target rejected: ${target.reason}` };
  } else {
    result = await deps.sender.send({
      url: endpoint.url,
      headers: signWebhook(endpoint.secret, task.eventId, startedAt, task.payload),
      body: task.payload,
      timeoutMs: deps.retry.timeoutMs,
    });
    verdict = classifyResult(result);
  }

  let outcome: DeliveryOutcome;
  let logged: { outcome: AttemptOutcome; error: string };
  if (verdict.verdict === 'success') {
    outcome = { kind: 'delivered' };
    logged = { outcome: 'delivered', error: '' };
  } else if (verdict.verdict === 'permanent' || attempt >= deps.retry.maxAttempts) {
    const why = verdict.verdict === 'permanent' ? 'not retried' : `gave up after ${attempt} attempts`;
    outcome = { kind: 'give_up', reason: `${verdict.error} (${why})` };
    logged = { outcome: 'gave_up', error: outcome.reason };
  } else {
    const retryAfter = result?.kind === 'response' ? parseRetryAfterMs(result.retryAfter, deps.clock.now()) : undefined;
    outcome = { kind: 'retry', delayMs: retryDelayMs(deps.retry, attempt, retryAfter, deps.random), reason: verdict.error };
    logged = { outcome: 'retrying', error: verdict.error };
  }

  await deps.attempts.record({
    tenant: task.tenant,
    endpointId: task.endpointId,
    eventId: task.eventId,
    eventType: task.eventType,
    attempt,
    result: outcome.kind === 'delivered' ? 'SUCCEEDED' : 'FAILED',
    outcome: logged.outcome,
    httpStatus: result?.kind === 'response' ? result.status : 0,
    error: logged.error,
    durationMs: result ? result.durationMs : Math.max(0, deps.clock.now().getTime() - startedAt.getTime()),
    at: startedAt,
  });
  return outcome;
}

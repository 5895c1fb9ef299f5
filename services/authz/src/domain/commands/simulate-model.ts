import { DomainError, InvalidArgumentError, type Principal } from '@assent/platform/domain';
import { modelAnswer, replayQuestion, replayUnder, type RecordedDecision } from '../decision-replay.js';
import { parseAuthzModel } from '../model-definition.js';
import type { ModelLifecycleDeps } from '../ports.js';
import type { Decision } from '../types.js';
import { requirePlatformAdmin } from './require-platform-admin.js';

export const SIMULATION_DEFAULT_LIMIT = 1_000;
export const SIMULATION_MAX_LIMIT = 10_000;
/** Decisions replayed at once; each asks OpenFGA one question at a time, so at most this many calls are in flight. */
export const REPLAY_CONCURRENCY = 8;

export interface DecisionChange {
  recorded: RecordedDecision;
  /** As the current model answers it now, and as the draft would (NEEDS_STEP_UP compares as ALLOW). */
  current: Decision;
  draft: Decision;
}

export interface SimulationResult {
  draftModelId: string;
  currentModelId: string;
  replayed: number;
  /** Newest first. */
  changes: DecisionChange[];
  skipped: number;
  /** Why decisions were skipped, with how many each. */
  skippedBecause: Record<string, number>;
}

/**
 * What a draft model would change (platform admins only): the draft is parsed and
 * validated as ApplyModel does and written to OpenFGA as a model version that is
 * never made current; up to `limit` of the newest recorded decisions are asked
 * again, with the same tuples and at each decision's own time, under the current
 * model and under the draft, and decided by Check's rules (decision-replay.ts). The
 * decisions whose answers differ are returned. Step-up is not replayed (it is not a
 * relationship): a grant with step-up pending compares as ALLOW.
 */
export async function simulateModel(deps: ModelLifecycleDeps, caller: Principal, input: { dsl: string; limit: number }): Promise<SimulationResult> {
  requirePlatformAdmin(caller, 'simulating an authorization model');
  if (input.limit > SIMULATION_MAX_LIMIT) throw InvalidArgumentError.field('limit', `must be at most ${SIMULATION_MAX_LIMIT}`);
  const limit = input.limit || SIMULATION_DEFAULT_LIMIT;
  const def = parseAuthzModel(input.dsl);
  const { model: current } = await deps.models.current();
  // The same model as the current one is registered under the same id: nothing can change.
  const draftModelId = await deps.models.write(def);
  const { decisions, unreadable } = await deps.recorded.newest(limit);
  const underCurrent = deps.models.under(current.modelId);
  const underDraft = deps.models.under(draftModelId);

  const skippedBecause: Record<string, number> = {};
  const skip = (reason: string, n = 1) => {
    skippedBecause[reason] = (skippedBecause[reason] ?? 0) + n;
  };
  if (unreadable) skip('not a decision record authz can read', unreadable);
  const changes: DecisionChange[] = [];
  let replayed = 0;
  await forEachLimited(decisions, REPLAY_CONCURRENCY, async (recorded) => {
    const question = replayQuestion(recorded, await deps.actions.get(recorded.tenant, recorded.action));
    if (question.kind === 'skip') return skip(question.reason);
    let now: Decision;
    let draft: Decision;
    try {
      now = await replayUnder(underCurrent, recorded, question);
      draft = draftModelId === current.modelId ? now : await replayUnder(underDraft, recorded, question);
    } catch (err) {
      // OpenFGA down fails the simulation; a question it refuses skips that decision.
      if (!(err instanceof Error) || err instanceof DomainError) throw err;
      deps.log.warn({ err, decisionId: recorded.id }, 'model simulation: OpenFGA refused a replayed question');
      return skip('OpenFGA refused a question of it');
    }
    replayed++;
    if (modelAnswer(now) !== modelAnswer(draft)) changes.push({ recorded, current: now, draft });
  });
  changes.sort((a, b) => b.recorded.decidedAt.getTime() - a.recorded.decidedAt.getTime() || (a.recorded.id < b.recorded.id ? 1 : -1));
  const skipped = Object.values(skippedBecause).reduce((a, b) => a + b, 0);
  if (skipped) deps.log.warn({ skipped, skippedBecause }, 'model simulation skipped recorded decisions');
  deps.log.info({ draftModelId, currentModelId: current.modelId, replayed, changed: changes.length, actor: caller.subject }, 'authorization model simulated');
  return { draftModelId, currentModelId: current.modelId, replayed, changes, skipped, skippedBecause };
}

async function forEachLimited<T>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

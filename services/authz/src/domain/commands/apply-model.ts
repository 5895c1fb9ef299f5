import { ConflictError, type Principal } from '@assent/platform/domain';
import { parseAuthzModel } from '../model-definition.js';
import { PLATFORM_TENANT, modelAppliedData, modelAppliedType } from '../model-events.js';
import type { CurrentModel, ModelLifecycleDeps } from '../ports.js';
import { requirePlatformAdmin } from './require-platform-admin.js';

export interface ApplyModelResult {
  modelId: string;
  previousModelId: string;
  /** False when the model was current already: nothing was written or published. */
  changed: boolean;
}

const ATTEMPTS = 3;

/**
 * Makes a new authorization model current on every replica (platform admins only).
 * The DSL must parse and keep what authz relies on (model-definition.ts). The model
 * is written to OpenFGA (or found there, if the same model was written before, e.g.
 * by a simulation), then the current-model pointer moves by compare-and-set; every
 * replica follows the pointer. The assent.authz.model_applied.v1 event is published
 * after the pointer moves and marked published on it: if the publish fails the call
 * fails (UNAVAILABLE) with the model applied, and applying it again publishes the
 * event with the same id instead of answering "unchanged" silently.
 */
export async function applyModel(deps: ModelLifecycleDeps, caller: Principal, input: { dsl: string }): Promise<ApplyModelResult> {
  requirePlatformAdmin(caller, 'applying an authorization model');
  const def = parseAuthzModel(input.dsl);
  let { model: current, revision } = await deps.models.current();
  let modelId: string | undefined;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    if (current.sha === def.sha) {
      if (current.source === 'applied' && !current.announced) await announce(deps, current, revision);
      return { modelId: current.modelId, previousModelId: current.modelId, changed: false };
    }
    modelId ??= await deps.models.write(def);
    const event = deps.eventFactory.create({
      type: modelAppliedType,
      subject: `model/${modelId}`,
      tenant: PLATFORM_TENANT,
      data: modelAppliedData({ modelId, previousModelId: current.modelId, actor: caller.subject }),
    });
    const next: CurrentModel = {
      modelId,
      sha: def.sha,
      dsl: def.dsl,
      source: 'applied',
      appliedAt: deps.clock.now(),
      appliedBy: caller.subject,
      previousModelId: current.modelId,
      eventId: event.id,
      announced: false,
    };
    const moved = await deps.models.makeCurrent(next, revision);
    if (moved !== undefined) {
      deps.log.info({ modelId, previousModelId: current.modelId, actor: caller.subject }, 'authorization model applied');
      await deps.events.emit(event);
      await deps.models.makeCurrent({ ...next, announced: true }, moved);
      return { modelId, previousModelId: current.modelId, changed: true };
    }
    // Another apply moved the pointer first: decide again against what it made current.
    ({ model: current, revision } = await deps.models.current());
  }
  throw new ConflictError('the authorization model kept changing while this one was being applied; retry');
}

/** Publishes an applied model's event that an earlier apply could not (same id: a duplicate is dropped by the stream). */
async function announce(deps: ModelLifecycleDeps, current: CurrentModel, revision: number): Promise<void> {
  await deps.events.emit(
    deps.eventFactory.create({
      type: modelAppliedType,
      subject: `model/${current.modelId}`,
      tenant: PLATFORM_TENANT,
      id: current.eventId,
      data: modelAppliedData({ modelId: current.modelId, previousModelId: current.previousModelId, actor: current.appliedBy }),
    }),
  );
  await deps.models.makeCurrent({ ...current, announced: true }, revision);
}

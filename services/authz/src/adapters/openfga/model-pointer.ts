import type { CurrentModel } from '../../domain/ports.js';
import type { IdRegistry } from './id-registry.js';

/**
 * The current-model pointer: which model every replica decides with, in the id
 * registry under `current-model.<storeId>`, moved only by compare-and-set and
 * watched by every replica (connect.ts). `builtinSha` is the digest of the built-in
 * model of the release that wrote the pointer: a later release compares its own.
 */
export type ModelPointer = CurrentModel & { builtinSha: string };

export const currentModelKey = (storeId: string): string => `current-model.${storeId}`;

interface PointerJson {
  modelId: string;
  sha: string;
  dsl: string;
  source: 'builtin' | 'applied';
  builtinSha: string;
  appliedAt: string;
  appliedBy: string;
  previousModelId: string;
  eventId: string;
  announced: boolean;
}

export function encodePointer(p: ModelPointer): string {
  const json: PointerJson = {
    modelId: p.modelId,
    sha: p.sha,
    dsl: p.dsl,
    source: p.source,
    builtinSha: p.builtinSha,
    appliedAt: p.appliedAt?.toISOString() ?? '',
    appliedBy: p.appliedBy,
    previousModelId: p.previousModelId,
    eventId: p.eventId,
    announced: p.announced,
  };
  return JSON.stringify(json);
}

/** The pointer, or undefined when the value is not one (then boot replaces it with the built-in model). */
export function decodePointer(value: string): ModelPointer | undefined {
  let j: Partial<PointerJson>;
  try {
    j = JSON.parse(value) as Partial<PointerJson>;
  } catch {
    return undefined;
  }
  if (typeof j.modelId !== 'string' || !j.modelId || typeof j.sha !== 'string' || typeof j.dsl !== 'string') return undefined;
  if (j.source !== 'builtin' && j.source !== 'applied') return undefined;
  return {
    modelId: j.modelId,
    sha: j.sha,
    dsl: j.dsl,
    source: j.source,
    builtinSha: typeof j.builtinSha === 'string' ? j.builtinSha : '',
    appliedAt: j.appliedAt ? new Date(j.appliedAt) : undefined,
    appliedBy: typeof j.appliedBy === 'string' ? j.appliedBy : '',
    previousModelId: typeof j.previousModelId === 'string' ? j.previousModelId : '',
    eventId: typeof j.eventId === 'string' ? j.eventId : '',
    announced: j.announced !== false,
  };
}

/** The id registry with what the current-model pointer needs besides compare-and-set: the new revision, and a watch. */
export interface ModelRegistry extends IdRegistry {
  /** Writes `value` if the key is still at `revision` (0: absent); the new revision, or undefined when it changed meanwhile. */
  swap(key: string, value: string, revision: number): Promise<number | undefined>;
  /**
   * Calls `onValue` with the key's value now and after every change (undefined once
   * deleted), until stopped; a watch that fails is started again (`onError` hears why).
   */
  watch(key: string, onValue: (value: string | undefined) => void, onError?: (err: unknown) => void): Promise<{ stop(): Promise<void> }>;
}

import type { Checkpoint } from '../../domain/checkpoint.js';

interface CheckpointJson extends Omit<Checkpoint, 'time'> {
  time: string;
}

export function encodeCheckpoint(cp: Checkpoint): string {
  const body: CheckpointJson = { ...cp, time: cp.time.toISOString() };
  return JSON.stringify(body);
}

const wellFormed = (c: Partial<CheckpointJson>): c is CheckpointJson =>
  typeof c.tenant === 'string' &&
  typeof c.index === 'number' &&
  typeof c.sequence === 'number' &&
  typeof c.headHash === 'string' &&
  typeof c.time === 'string' &&
  typeof c.keyId === 'string' &&
  typeof c.prevCheckpointHash === 'string' &&
  typeof c.signature === 'string' &&
  !Number.isNaN(new Date(c.time).getTime());

/**
 * A message on a checkpoint subject. Anything that is not a checkpoint (written by
 * something other than this service) decodes to a stand-in with no signature, which
 * VerifyChain reports as the bad checkpoint instead of failing the whole read.
 */
export function decodeCheckpoint(data: Uint8Array, tenant: string): Checkpoint {
  try {
    const body = JSON.parse(new TextDecoder().decode(data)) as Partial<CheckpointJson>;
    if (wellFormed(body)) return { ...body, time: new Date(body.time) };
  } catch {
    // fall through to the stand-in
  }
  return { tenant, index: 0, sequence: 0, headHash: '', time: new Date(0), keyId: '', prevCheckpointHash: '', signature: '' };
}

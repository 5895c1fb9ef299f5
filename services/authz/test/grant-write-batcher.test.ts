import { describe, expect, it } from 'vitest';
import type { TupleKey } from '@openfga/sdk';
import { GrantWriteBatcher } from '../src/adapters/openfga/grant-write-batcher.js';

const tuples = (id: string, window = '1h'): TupleKey[] => [
  { user: 'action:t/a', relation: 'action', object: `grant:${id}` },
  { user: 'user:u', relation: 'grantee', object: `grant:${id}`, condition: { name: 'active_grant', context: { window } } },
];

function setup(failMany?: number) {
  const many: TupleKey[][] = [];
  const one: string[] = [];
  const batcher = new GrantWriteBatcher<string>(
    async (t) => {
      many.push(t);
      if (failMany) throw Object.assign(new Error('conflict'), { statusCode: failMany });
    },
    async (id) => {
      if (id === 'bad') throw new Error('bad grant');
      one.push(id);
    },
    6,
  );
  return { batcher, many, one };
}

describe('GrantWriteBatcher', () => {
  it('writes the first grant alone and coalesces the ones that arrive meanwhile, up to the tuple limit', async () => {
    const { batcher, many, one } = setup();
    await Promise.all(['g1', 'g2', 'g3', 'g4', 'g5'].map((id) => batcher.write(id, tuples(id))));
    // g1 alone; g2–g4 fill one Write (6 tuples); g5 is left alone in the next.
    expect(one).toEqual(['g1', 'g5']);
    expect(many.map((b) => b.length)).toEqual([6]);
  });

  it('sends identical tuples once and puts a second window for one grantee in the next batch', async () => {
    const { batcher, many, one } = setup();
    await Promise.all([batcher.write('first', tuples('x')), batcher.write('a', tuples('x')), batcher.write('b', tuples('x', '2h')), batcher.write('c', tuples('y'))]);
    // 'a' goes alone because 'b' has another window for the same grantee; 'b' and 'c' share a Write.
    expect(one).toEqual(['first', 'a']);
    expect(many.map((b) => b.map((t) => t.object))).toEqual([['grant:x', 'grant:x', 'grant:y', 'grant:y']]);
  });

  it('falls back to single writes when a batch is refused with 409, failing only the bad grant', async () => {
    const { batcher, one } = setup(409);
    const results = await Promise.allSettled(['g1', 'g2', 'bad'].map((id) => batcher.write(id, tuples(id))));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
    expect(one).toEqual(['g1', 'g2']);
  });

  it('fails the whole batch when OpenFGA is unavailable', async () => {
    const { batcher } = setup(503);
    const results = await Promise.allSettled(['g1', 'g2', 'g3'].map((id) => batcher.write(id, tuples(id))));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected']);
  });
});

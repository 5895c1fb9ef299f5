import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { assentModelDsl } from '../src/adapters/openfga/model.js';

describe('the OpenFGA model', () => {
  it('is the same text as services/authz/model/assent.fga, which the fga CLI model tests run against', () => {
    // model.ts is what authz writes to OpenFGA; the .fga file is what `make test` tests with the fga CLI.
    expect(readFileSync(new URL('../model/assent.fga', import.meta.url), 'utf8')).toBe(assentModelDsl);
  });
});

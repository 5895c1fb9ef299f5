import { describe, expect, it } from 'vitest';
import {
  ConditionCompileError,
  ConditionEvaluationError,
  InvalidArgumentError,
  Violations,
  checkConditions,
  compileCondition,
  conditionLimits,
  contextProblem,
  firstHolding,
} from '@assent/platform/domain';

const vars = (context: Record<string, unknown>) => ({ context, principal: 'alice', action: 'refunds.issue', resource: 'refund/1' });

describe('conditions (CEL)', () => {
  it('decides thresholds on the context, with numbers as they arrive from JSON', () => {
    const c = compileCondition('context.amount > 1000');
    expect(c.evaluate(vars({ amount: 1000 }))).toBe(false);
    expect(c.evaluate(vars({ amount: 1000.5 }))).toBe(true);
    expect(compileCondition('principal.startsWith("svc-") || resource == "refund/1"').evaluate(vars({}))).toBe(true);
    expect(compileCondition('has(context.amount) && context.amount > 5').evaluate(vars({}))).toBe(false);
  });

  it('picks the first condition that holds, in order, and none below every threshold', () => {
    const tiers = [
      { name: 'large', when: 'context.amount > 10000' },
      { name: 'medium', when: 'context.amount > 1000' },
    ];
    expect(firstHolding(tiers, vars({ amount: 50_000 }))).toEqual({ condition: tiers[0], index: 0 });
    expect(firstHolding(tiers, vars({ amount: 5_000 }))).toEqual({ condition: tiers[1], index: 1 });
    expect(firstHolding(tiers, vars({ amount: 10 }))).toBeUndefined();
  });

  it('never treats an undecidable condition as not holding: it names the condition and the problem', () => {
    const tiers = [{ name: 'large', when: 'context.amount > 10000' }];
    expect(() => firstHolding(tiers, vars({}))).toThrow(ConditionEvaluationError);
    expect(() => firstHolding(tiers, vars({}))).toThrow(/condition "large" \(context.amount > 10000\) cannot be decided: No such key: amount/);
    expect(() => firstHolding(tiers, vars({ amount: 'lots' }))).toThrow(/no such overload/);
  });

  it('refuses what does not compile, is not a bool, or is over the limits, saying which', () => {
    const refused = (source: string) => {
      try {
        compileCondition(source);
      } catch (err) {
        expect(err).toBeInstanceOf(ConditionCompileError);
        return (err as Error).message;
      }
      throw new Error(`compiled: ${source}`);
    };
    expect(refused('context.amount >')).toMatch(/^does not compile: /);
    expect(refused('nope > 1')).toMatch(/Unknown variable: nope/);
    expect(refused('1 + 2')).toMatch(/must be a bool expression; it is int/);
    expect(refused('')).toBe('is empty');
    expect(refused(`context.a == "${'x'.repeat(conditionLimits.maxExpressionLength)}"`)).toMatch(/at most 1024/);
    expect(refused(Array.from({ length: 80 }, () => '1==1').join('||'))).toMatch(/maxAstNodes/);
    expect(refused('context.name.matches("(a+)+$")')).toMatch(/^matches\(\): regular expressions are not allowed/);
    // One comprehension over the context is fine; nesting two multiplies past the limit.
    expect(compileCondition('context.items.all(i, i.qty < 5)').cost).toBeLessThanOrEqual(conditionLimits.maxCost);
    expect(refused('context.items.all(i, context.items.exists(j, j.qty > i.qty))')).toMatch(/^exceeds the cost limit: estimated \d+, at most 100000/);
  });

  it('refuses an oversize context before evaluating anything', () => {
    expect(contextProblem({ amount: 5 })).toBeUndefined();
    expect(contextProblem({ blob: 'x'.repeat(conditionLimits.maxContextBytes) })).toMatch(/bytes as JSON; at most 8192/);
  });

  it('validates a list of named conditions into field violations', () => {
    const v = new Violations();
    checkConditions(v, 'conditions', [
      { name: 'large', when: 'context.amount > 10000' },
      { name: 'large', when: 'context.amount >' },
      { name: 'Bad Name', when: 'true' },
    ]);
    let err: unknown;
    try {
      v.throwIfAny();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as InvalidArgumentError).violations.map((x) => x.field)).toEqual(['conditions[1].name', 'conditions[1].when', 'conditions[2].name']);
  });
});

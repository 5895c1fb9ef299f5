import { Environment, type ASTNode, type ParseResult } from '@marcbachmann/cel-js';
import type { Violations } from './validation.js';

/**
 * Conditions on a request's context, written in CEL (the Common Expression
 * Language), shared by authz (conditional protection: Check) and approvals (which
 * tier of a policy a request falls in): both evaluate the same text with the same
 * variables, so they can never disagree about which condition holds.
 *
 * Variables: `context` (a map: the request context / the request's parameters),
 * `principal`, `action` and `resource` (strings). The result must be a bool.
 *
 * Cost limit. CEL has no loops, so an expression's work is bounded by its size and
 * by the size of its input; both are capped here. The parser refuses more than
 * `maxAstNodes` nodes or `maxDepth` nesting; a static estimate then charges every
 * node 1 and each comprehension macro (all, exists, exists_one, map, filter) its
 * body's cost once per element of the largest list a context of `maxContextBytes`
 * can hold, so nested comprehensions over the context multiply and are refused.
 * `matches` is refused: its regular expressions would run on a backtracking engine
 * where one pattern can take exponential time.
 */
export const conditionLimits = {
  maxExpressionLength: 1_024,
  maxAstNodes: 256,
  maxDepth: 32,
  /** The estimated cost an expression may reach. */
  maxCost: 100_000,
  /** A context larger than this (as JSON) is refused before any evaluation. */
  maxContextBytes: 8_192,
} as const;

/** Elements the largest list in a context of maxContextBytes can have ("[1,1,…]"). */
const maxListElements = Math.floor(conditionLimits.maxContextBytes / 2);
const comprehensions = new Set(['all', 'exists', 'exists_one', 'map', 'filter']);
const refusedFunctions: Record<string, string> = {
  matches: 'regular expressions are not allowed (backtracking can take exponential time); use startsWith, endsWith or contains',
};

export interface ConditionVariables {
  context: Record<string, unknown>;
  principal: string;
  action: string;
  resource: string;
}

export interface CompiledCondition {
  readonly source: string;
  /** The static cost estimate (at most conditionLimits.maxCost). */
  readonly cost: number;
  /** True when the condition holds; throws ConditionEvaluationError when it cannot be decided. */
  evaluate(vars: ConditionVariables): boolean;
}

/** The expression does not compile, is not a bool, or is over a limit. */
export class ConditionCompileError extends Error {}

/** The expression compiled but cannot be decided for this input (a missing key, a value of the wrong type). */
export class ConditionEvaluationError extends Error {}

const environment = new Environment({
  limits: { maxAstNodes: conditionLimits.maxAstNodes, maxDepth: conditionLimits.maxDepth, maxListElements: 256, maxMapEntries: 256, maxCallArguments: 8 },
})
  .registerVariable('context', 'map')
  .registerVariable('principal', 'string')
  .registerVariable('action', 'string')
  .registerVariable('resource', 'string');

/** The first line of a cel-js message (the rest is a caret drawing of the source). */
const firstLine = (err: unknown) => (err instanceof Error ? err.message : String(err)).split('\n')[0]!.trim();

function estimate(node: ASTNode): number {
  switch (node.op) {
    case 'value':
    case 'id':
      return 1;
    case 'rcall': {
      const [name, receiver, args] = node.args as [string, ASTNode, ASTNode[]];
      refuse(name);
      const body = args.reduce((sum, a) => sum + estimate(a), 0);
      return 1 + estimate(receiver) + (comprehensions.has(name) ? maxListElements * (body + 1) : body);
    }
    case 'call': {
      const [name, args] = node.args as [string, ASTNode[]];
      refuse(name);
      return 1 + args.reduce((sum, a) => sum + estimate(a), 0);
    }
    case 'map':
      return 1 + (node.args as [ASTNode, ASTNode][]).reduce((sum, [k, v]) => sum + estimate(k) + estimate(v), 0);
    default: {
      const args = node.args as unknown;
      const children = (Array.isArray(args) ? args : [args]).filter((a): a is ASTNode => typeof a === 'object' && a !== null && 'op' in a);
      return 1 + children.reduce((sum, a) => sum + estimate(a), 0);
    }
  }
}

function refuse(name: string): void {
  const why = refusedFunctions[name];
  if (why) throw new ConditionCompileError(`${name}(): ${why}`);
}

const compiled = new Map<string, CompiledCondition>();

/**
 * Compiles a condition once (cached by its text); throws ConditionCompileError with
 * a message fit for a field violation.
 */
export function compileCondition(source: string): CompiledCondition {
  const hit = compiled.get(source);
  if (hit) return hit;
  if (!source.trim()) throw new ConditionCompileError('is empty');
  if (source.length > conditionLimits.maxExpressionLength) {
    throw new ConditionCompileError(`is ${source.length} characters; at most ${conditionLimits.maxExpressionLength}`);
  }
  let parsed: ParseResult;
  try {
    parsed = environment.parse(source);
  } catch (err) {
    throw new ConditionCompileError(`does not compile: ${firstLine(err)}`);
  }
  const checked = parsed.check();
  if (!checked.valid) throw new ConditionCompileError(`does not compile: ${firstLine(checked.error)}`);
  if (checked.type !== 'bool' && checked.type !== 'dyn') throw new ConditionCompileError(`must be a bool expression; it is ${checked.type}`);
  const cost = estimate(parsed.ast);
  if (cost > conditionLimits.maxCost) {
    throw new ConditionCompileError(`exceeds the cost limit: estimated ${cost}, at most ${conditionLimits.maxCost} (a comprehension over the context costs its body once per element; nest none)`);
  }
  const condition: CompiledCondition = {
    source,
    cost,
    evaluate(vars) {
      let result: unknown;
      try {
        result = parsed(vars as unknown as Record<string, unknown>);
      } catch (err) {
        throw new ConditionEvaluationError(firstLine(err));
      }
      if (typeof result !== 'boolean') throw new ConditionEvaluationError(`evaluated to ${typeof result}, not a bool`);
      return result;
    },
  };
  if (compiled.size >= 10_000) compiled.clear();
  compiled.set(source, condition);
  return condition;
}

/** Why a context cannot be evaluated at all (too large), or undefined. */
export function contextProblem(context: Record<string, unknown>): string | undefined {
  const bytes = Buffer.byteLength(JSON.stringify(context));
  return bytes > conditionLimits.maxContextBytes ? `is ${bytes} bytes as JSON; at most ${conditionLimits.maxContextBytes}` : undefined;
}

export interface NamedCondition {
  name: string;
  when: string;
}

/**
 * The first condition, in order, that holds for the input; undefined when none
 * does. A condition that cannot be decided throws ConditionEvaluationError naming
 * it: an undecidable condition never counts as "does not hold".
 */
export function firstHolding<T extends NamedCondition>(conditions: readonly T[], vars: ConditionVariables): { condition: T; index: number } | undefined {
  for (const [index, condition] of conditions.entries()) {
    let holds: boolean;
    try {
      holds = compileCondition(condition.when).evaluate(vars);
    } catch (err) {
      throw new ConditionEvaluationError(`condition "${condition.name}" (${condition.when}) cannot be decided: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (holds) return { condition, index };
  }
  return undefined;
}

const conditionName = /^[a-z][a-z0-9-]{0,62}$/;
/** At most this many conditions per protected action / policy. */
export const maxConditions = 16;

/**
 * Validates named conditions into `v`: each name unique and well formed, each
 * expression compiling within the limits; violations name `<field>[i].name|when`.
 */
export function checkConditions(v: Violations, field: string, conditions: readonly NamedCondition[]): void {
  if (conditions.length > maxConditions) v.add(field, `at most ${maxConditions} conditions`);
  const seen = new Set<string>();
  conditions.forEach((c, i) => {
    if (!conditionName.test(c.name)) v.add(`${field}[${i}].name`, 'must be 1-63 lowercase letters, digits or "-", starting with a letter');
    else if (seen.has(c.name)) v.add(`${field}[${i}].name`, `"${c.name}" is used twice`);
    seen.add(c.name);
    try {
      compileCondition(c.when);
    } catch (err) {
      v.add(`${field}[${i}].when`, err instanceof Error ? err.message : String(err));
    }
  });
}

import { createHash } from 'node:crypto';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { InvalidArgumentError, Violations, canonicalJson } from '@assent/platform/domain';
import { MAX_GRANT_SECONDS, MAX_TIMER_SECONDS, MIN_GRANT_SECONDS } from './policy-rules.js';
import { checkTierKept } from './request-tier.js';
import type { ApprovalRequest, JsonSchema, ParameterChange } from './types.js';

/** A policy's parameters schema is at most this large (canonical JSON). */
export const MAX_SCHEMA_BYTES = 16 * 1024;
/** A request's parameters are at most this large (canonical JSON). */
export const MAX_PARAMETERS_BYTES = 8 * 1024;
/** Fields an approver may be allowed to edit besides "parameters.<name>". */
export const EDITABLE_FIELDS = ['grant_duration_seconds', 'effective_at'] as const;
const EDITABLE_PARAMETER = /^parameters\.[A-Za-z_][A-Za-z0-9_]{0,62}$/;

const validators = new Map<string, ValidateFunction>();
const MAX_VALIDATORS = 256;

/**
 * The compiled validator of a schema, cached by its canonical hash (a policy
 * version compiles once per process). Each schema gets its own Ajv, so two
 * policies' `$id`s never clash. Throws the compile error for an invalid schema.
 */
function validatorFor(schema: JsonSchema): ValidateFunction {
  const key = createHash('sha256').update(canonicalJson(schema)).digest('hex');
  const cached = validators.get(key);
  if (cached) return cached;
  // strict: an unknown keyword or a misspelt one is refused, not ignored.
  const compiled = new Ajv2020({ allErrors: true, strict: true, strictRequired: false }).compile(schema);
  if (validators.size >= MAX_VALIDATORS) validators.delete(validators.keys().next().value as string);
  validators.set(key, compiled);
  return compiled;
}

/** Problems with a policy's parameters schema, each added to `v` under policy.parameters_schema. */
export function checkParametersSchema(v: Violations, schema: JsonSchema | undefined, editable: string[]): void {
  editable.forEach((f, i) => {
    if (!(EDITABLE_FIELDS as readonly string[]).includes(f) && !EDITABLE_PARAMETER.test(f)) {
      v.add(`policy.approver_editable[${i}]`, `must be ${EDITABLE_FIELDS.map((e) => `"${e}"`).join(', ')} or "parameters.<name>"`);
    } else if (f.startsWith('parameters.') && !schema) {
      v.add(`policy.approver_editable[${i}]`, 'names a parameter, but the policy has no parameters_schema');
    }
  });
  if (new Set(editable).size !== editable.length) v.add('policy.approver_editable', 'must not repeat an entry');
  if (!schema) return;
  if (canonicalJson(schema).length > MAX_SCHEMA_BYTES) {
    v.add('policy.parameters_schema', `must be at most ${MAX_SCHEMA_BYTES} bytes`);
    return;
  }
  if (schema.type !== 'object') v.add('policy.parameters_schema.type', 'must be "object": parameters are named');
  try {
    validatorFor(schema);
  } catch (err) {
    v.add('policy.parameters_schema', `is not a valid JSON Schema: ${(err as Error).message}`);
  }
}

/** `parameters.a.b` from an Ajv instance path ("/a/b"). */
const fieldOf = (base: string, instancePath: string) =>
  base + instancePath.split('/').slice(1).map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p.replace(/~1/g, '/').replace(/~0/g, '~')}`)).join('');

/** Throws InvalidArgumentError naming each parameter that does not match the schema. */
export function validateParameters(schema: JsonSchema | undefined, parameters: Record<string, unknown>, policyId: string): void {
  const v = new Violations();
  if (canonicalJson(parameters).length > MAX_PARAMETERS_BYTES) v.add('parameters', `must be at most ${MAX_PARAMETERS_BYTES} bytes`);
  else if (!schema) {
    if (Object.keys(parameters).length) v.add('parameters', `policy ${policyId} takes no parameters`);
  } else {
    const validate = validatorFor(schema);
    if (!validate(parameters)) {
      for (const e of validate.errors ?? []) {
        const extra =
          e.keyword === 'additionalProperties'
            ? ` ("${String((e.params as { additionalProperty: string }).additionalProperty)}")`
            : e.keyword === 'enum'
              ? `: ${(e.params as { allowedValues: unknown[] }).allowedValues.map((x) => JSON.stringify(x)).join(', ')}`
              : '';
        v.add(fieldOf('parameters', e.instancePath), `${e.message ?? 'is invalid'}${extra}`);
      }
    }
  }
  v.throwIfAny();
}

/** What an approver asks to change (an undefined field is left as it is; a null parameter is removed). */
export interface RequestEdits {
  grantDurationSeconds: number | undefined;
  effectiveAt: Date | undefined;
  parameters: Record<string, unknown> | undefined;
}

export const noEdits = (e: RequestEdits | undefined): boolean =>
  !e || (e.grantDurationSeconds === undefined && e.effectiveAt === undefined && (!e.parameters || Object.keys(e.parameters).length === 0));

const same = (a: unknown, b: unknown) => canonicalJson(a ?? null) === canonicalJson(b ?? null);

/** Checks a requested grant length against the policy's limits; throws naming `field`. */
export function checkGrantDuration(field: string, seconds: number, cap: number): void {
  if (!Number.isSafeInteger(seconds) || seconds < MIN_GRANT_SECONDS || seconds > Math.min(cap, MAX_GRANT_SECONDS)) {
    throw InvalidArgumentError.field(field, `must be between ${MIN_GRANT_SECONDS} and ${Math.min(cap, MAX_GRANT_SECONDS)} seconds (the policy's limit)`);
  }
}

/** Checks a requested start of the effect: later than `now`, within the timer horizon. */
export function checkEffectiveAt(field: string, at: Date, now: Date): void {
  if (Number.isNaN(at.getTime()) || at <= now || at.getTime() - now.getTime() > MAX_TIMER_SECONDS * 1000) {
    throw InvalidArgumentError.field(field, 'must be in the future, at most a year ahead');
  }
}

/**
 * Applies an approver's edits to a pending request: only fields its policy made
 * editable, each validated (grant within the cap, start in the future, parameters
 * against the schema and, in a protection tier, still in that tier). Returns the changed fields and the changes as a diff;
 * `narrowing` is true when the edit only shortens the grant, which asks for less
 * than earlier approvers approved.
 */
export function applyEdits(
  r: ApprovalRequest,
  edits: RequestEdits,
  now: Date,
): { patch: Pick<ApprovalRequest, 'grantDurationSeconds' | 'effectiveAt' | 'parameters'>; changes: ParameterChange[]; narrowing: boolean } {
  const editable = new Set(r.approverEditable);
  const refuse = (field: string) => {
    throw InvalidArgumentError.field(`edits.${field}`, `policy ${r.policyId} does not let approvers change ${field}${editable.size ? ` (editable: ${[...editable].join(', ')})` : ''}`);
  };
  const changes: ParameterChange[] = [];
  const patch = { grantDurationSeconds: r.grantDurationSeconds, effectiveAt: r.effectiveAt, parameters: { ...r.parameters } };
  if (edits.grantDurationSeconds !== undefined && edits.grantDurationSeconds !== r.grantDurationSeconds) {
    if (!editable.has('grant_duration_seconds')) refuse('grant_duration_seconds');
    checkGrantDuration('edits.grant_duration_seconds', edits.grantDurationSeconds, r.maxGrantDurationSeconds);
    changes.push({ field: 'grant_duration_seconds', from: r.grantDurationSeconds, to: edits.grantDurationSeconds });
    patch.grantDurationSeconds = edits.grantDurationSeconds;
  }
  if (edits.effectiveAt !== undefined && edits.effectiveAt.getTime() !== r.effectiveAt?.getTime()) {
    if (!editable.has('effective_at')) refuse('effective_at');
    checkEffectiveAt('edits.effective_at', edits.effectiveAt, now);
    changes.push({ field: 'effective_at', from: r.effectiveAt?.toISOString() ?? null, to: edits.effectiveAt.toISOString() });
    patch.effectiveAt = edits.effectiveAt;
  }
  for (const [name, value] of Object.entries(edits.parameters ?? {})) {
    if (same(r.parameters[name], value)) continue;
    if (!editable.has(`parameters.${name}`)) refuse(`parameters.${name}`);
    changes.push({ field: `parameters.${name}`, from: r.parameters[name] ?? null, to: value ?? null });
    if (value === null || value === undefined) delete patch.parameters[name];
    else patch.parameters[name] = value;
  }
  if (changes.some((c) => c.field.startsWith('parameters.'))) {
    validateParameters(r.parametersSchema, patch.parameters, r.policyId);
    checkTierKept(r, patch.parameters);
  }
  const narrowing = changes.every((c) => c.field === 'grant_duration_seconds' && (c.to as number) < (c.from as number));
  return { patch, changes, narrowing };
}

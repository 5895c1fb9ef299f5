import { createHash } from 'node:crypto';
import { InvalidArgumentError, canonicalJson } from '@assent/platform/domain';
import { errors, transformer, validator } from '@openfga/syntax-transformer';

/** The parts of OpenFGA's model JSON authz reads (the transformer's output; OpenFGA's WriteAuthorizationModel body). */
export interface ModelJson {
  schema_version: string;
  type_definitions: {
    type: string;
    relations?: Record<string, unknown>;
    metadata?: { relations?: Record<string, { directly_related_user_types?: { type: string; relation?: string; condition?: string; wildcard?: unknown }[] }> } | null;
  }[];
  conditions?: Record<string, { name: string; expression: string; parameters?: Record<string, { type_name: string }> }>;
}

/** A parsed and validated model: its DSL, OpenFGA's JSON for it, and its digest. */
export interface ModelDefinition {
  dsl: string;
  json: ModelJson;
  /**
   * sha256 of the model's canonical JSON (schema version, types, conditions): equal
   * for two DSL texts that differ only in layout or comments. The key models are
   * registered under (adapters/openfga/connect.ts) and how "the same model" is told.
   */
  sha: string;
}

/** At most this much DSL (it is kept with the current-model pointer in a KV entry). */
export const MAX_DSL_BYTES = 256 * 1024;

/** The model's digest: the same canonical form the registry has always keyed models by. */
export const modelSha = (m: { schema_version?: string; type_definitions?: unknown; conditions?: unknown }): string =>
  createHash('sha256')
    .update(canonicalJson({ s: m.schema_version ?? '', t: m.type_definitions ?? [], c: m.conditions ?? {} }))
    .digest('hex');

/** "line 6, column 30: the relation `adminx` does not exist" (the transformer counts from 0; people from 1). */
function describeErrors(err: errors.BaseMultiError<errors.BaseError>): string {
  const shown = err.errors.slice(0, 5).map((e) => {
    const where = e.line ? `line ${e.line.start + 1}${e.column ? `, column ${e.column.start + 1}` : ''}: ` : '';
    return `${where}${e.msg}`;
  });
  const more = err.errors.length > shown.length ? ` (and ${err.errors.length - shown.length} more)` : '';
  return `${shown.join('; ')}${more}`;
}

/**
 * Parses and validates a model in OpenFGA's DSL with OpenFGA's own transformer
 * (syntax, then the semantic rules OpenFGA applies: undefined relations, types,
 * conditions). Anything wrong is INVALID_ARGUMENT on `dsl` with the transformer's
 * message and line.
 */
export function parseModel(dsl: string): ModelDefinition {
  if (!dsl.trim()) throw InvalidArgumentError.field('dsl', 'is required');
  if (Buffer.byteLength(dsl) > MAX_DSL_BYTES) throw InvalidArgumentError.field('dsl', `must be at most ${MAX_DSL_BYTES} bytes`);
  let json: ModelJson;
  try {
    validator.validateDSL(dsl);
    json = transformer.transformDSLToJSONObject(dsl) as unknown as ModelJson;
  } catch (err) {
    if (err instanceof errors.DSLSyntaxError) throw InvalidArgumentError.field('dsl', `syntax error at ${describeErrors(err)}`);
    if (err instanceof errors.ModelValidationError) throw InvalidArgumentError.field('dsl', `invalid model at ${describeErrors(err)}`);
    throw InvalidArgumentError.field('dsl', `not a model: ${(err as Error).message}`);
  }
  if (json.schema_version !== '1.1') throw InvalidArgumentError.field('dsl', `schema ${json.schema_version} is not supported: authz needs schema 1.1 (conditions)`);
  return { dsl, json, sha: modelSha(json) };
}

/**
 * What authz relies on in any model: the types and relations it writes tuples to or
 * asks about, the subjects it writes into them, and the grant condition with the
 * parameters it sets. A model may add anything and may change how a relation is
 * computed (that is what applying a model is for), but not drop one of these.
 */
const required: { type: string; relations: Record<string, string[]> }[] = [
  { type: 'user', relations: {} },
  { type: 'group', relations: { member: ['user'] } },
  { type: 'tenant', relations: { member: ['user'], admin: [] } },
  { type: 'action', relations: { tenant: ['tenant'], approver: ['user', 'group#member'], requester: [] } },
  { type: 'grant_window', relations: {} },
  { type: 'grant', relations: { action: ['action'], grantee: ['user with active_grant'], stamp: ['grant_window'], can_perform: [] } },
];
const requiredCondition = { name: 'active_grant', parameters: ['current_time', 'grant_start', 'grant_duration'] };

const subjectLabel = (s: { type: string; relation?: string; condition?: string; wildcard?: unknown }) =>
  `${s.type}${s.wildcard !== undefined ? ':*' : ''}${s.relation ? `#${s.relation}` : ''}${s.condition ? ` with ${s.condition}` : ''}`;

/** What the model lacks of what authz relies on, each named ("tenant#admin", "grant#grantee accepting user with active_grant"); [] when nothing. */
export function missingFromModel(model: ModelJson): string[] {
  const missing: string[] = [];
  for (const want of required) {
    const def = model.type_definitions.find((t) => t.type === want.type);
    if (!def) {
      missing.push(`type ${want.type}`);
      continue;
    }
    for (const [relation, subjects] of Object.entries(want.relations)) {
      if (!def.relations?.[relation]) {
        missing.push(`${want.type}#${relation}`);
        continue;
      }
      const accepted = new Set((def.metadata?.relations?.[relation]?.directly_related_user_types ?? []).map(subjectLabel));
      for (const s of subjects) if (!accepted.has(s)) missing.push(`${want.type}#${relation} accepting ${s}`);
    }
  }
  const condition = model.conditions?.[requiredCondition.name];
  if (!condition) missing.push(`condition ${requiredCondition.name}`);
  else for (const p of requiredCondition.parameters) if (!condition.parameters?.[p]) missing.push(`condition ${requiredCondition.name} parameter ${p}`);
  return missing;
}

/** Parses, validates and checks the model keeps what authz relies on (INVALID_ARGUMENT on `dsl` naming what is missing). */
export function parseAuthzModel(dsl: string): ModelDefinition {
  const def = parseModel(dsl);
  const missing = missingFromModel(def.json);
  if (missing.length) throw InvalidArgumentError.field('dsl', `the model lacks what authz relies on: ${missing.join(', ')}`);
  return def;
}

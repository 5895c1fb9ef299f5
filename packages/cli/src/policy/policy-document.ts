import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { isMap, isScalar, LineCounter, parseAllDocuments, type Document } from 'yaml';
import { compileCondition } from '@assent/platform/domain';
import { approvalsv1 } from '@assent/proto';
import schema from '../../schemas/policy.v1.schema.json' with { type: 'json' };
import { closest } from './closest.js';
import { formatDuration, parseDuration } from './duration.js';

export const policyApiVersion = 'assent.dev/v1';
/** The published JSON Schema every policy document is checked against (packages/cli/schemas/). */
export const policySchema = schema;

/** One problem in a policy file, located by its path in the document and its line. */
export interface PolicyIssue {
  path: string;
  message: string;
  line?: number;
}

export class PolicyDocumentError extends Error {
  override readonly name = 'PolicyDocumentError';

  constructor(readonly issues: PolicyIssue[]) {
    super(`invalid policy document: ${issues.map(formatIssue).join('; ')}`);
  }
}

export function formatIssue(i: PolicyIssue): string {
  return `${i.path}${i.line ? ` (line ${i.line})` : ''}: ${i.message}`;
}

type Path = (string | number)[];

let compiled: ValidateFunction | undefined;
/** Compiled on first use: compiling costs ~30 ms, and most assentctl commands never read a policy. */
function validator(): ValidateFunction {
  if (compiled) return compiled;
  // strictRequired is off: the allOf rules name properties the spec declares, not their own.
  const ajv = new Ajv2020({ allErrors: true, verbose: true, strict: true, strictRequired: false });
  ajv.addKeyword({ keyword: 'x-hint', schemaType: 'string' });
  ajv.addKeyword({ keyword: 'x-field', schemaType: 'string' });
  compiled = ajv.compile(schema);
  return compiled;
}

interface SpecRequirement {
  name: string;
  approvers: string[];
  quorum?: number;
}

interface Spec {
  id: string;
  action: string;
  approvers?: string[];
  quorum?: number;
  requirements?: SpecRequirement[];
  /** Protection tiers, strictest first; a tier without requirements uses the policy's. */
  tiers?: { name: string; when: string; requirements?: SpecRequirement[] }[];
  allowSelfApproval?: boolean;
  allowBreakGlass?: boolean;
  extensionRequiresApproval?: boolean;
  requireStepUpToAct?: boolean;
  requireStepUpToApprove?: boolean;
  requireJustification?: boolean;
  grantDuration?: string | number;
  grantDurationSeconds?: number;
  slackChannel?: string;
  sla?: string | number;
  reminders?: { after?: (string | number)[]; every?: string | number };
  escalation?: { tiers: { after: string | number; approvers: string[]; mode?: 'add' | 'replace' }[]; loopTo?: number };
  expireAfter?: string | number;
  maxGrantDuration?: string | number;
  acknowledgements?: { id: string; text: string }[];
  approverEditable?: string[];
  parametersSchema?: Record<string, unknown>;
  rerequestCooldown?: string | number;
  maxRequestsPerDay?: number;
}

/**
 * Parses a YAML or JSON file of one or more `kind: Policy` documents (YAML separates
 * them with `---`) into policies for ApprovalsService.PutPolicy. Each document is
 * checked against the published JSON Schema, then for what a schema cannot say
 * (names unique, reminders ascending); every problem in every document is reported
 * together, so a file is applied whole or not at all.
 */
export function parsePolicyDocuments(text: string): approvalsv1.Policy[] {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines, uniqueKeys: true });
  if (!Array.isArray(docs)) throw new PolicyDocumentError([{ path: '(file)', message: 'contains no policy document' }]);
  const issues: PolicyIssue[] = [];
  const policies: approvalsv1.Policy[] = [];
  for (const doc of docs) {
    if (doc.errors.length) {
      for (const e of doc.errors) {
        issues.push({ path: '(yaml)', message: (e.message.split('\n')[0] ?? e.message).replace(/ at line \d+, column \d+:?$/, ''), line: e.linePos?.[0].line });
      }
      continue;
    }
    const value = doc.toJS() as unknown;
    if (value == null) continue; // an empty document, e.g. after a trailing "---"
    const located = new Locator(doc, lines);
    const found = checkDocument(value, located);
    if (found.length) issues.push(...found);
    else policies.push(toPolicy((value as { spec: Spec }).spec));
  }
  if (!issues.length && !policies.length) issues.push({ path: '(file)', message: 'contains no policy document' });
  if (issues.length) throw new PolicyDocumentError(issues);
  return policies;
}

function checkDocument(value: unknown, at: Locator): PolicyIssue[] {
  if (typeof value !== 'object' || Array.isArray(value)) return [{ path: '(document)', message: 'must be a mapping with apiVersion, kind and spec', line: at.valueLine([]) ?? 1 }];
  const validate = validator();
  if (!validate(value)) return schemaIssues(validate.errors ?? [], value, at);
  return semanticIssues((value as { spec: Spec }).spec, at);
}

const pointerPath = (pointer: string): Path =>
  pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));

/** Schema errors as people read them: one per place, the hint the schema gives, the key that was meant. */
function schemaIssues(errors: ErrorObject[], value: unknown, at: Locator): PolicyIssue[] {
  const out: PolicyIssue[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    // The branches of anyOf/not explain themselves through the combinator's hint.
    if (e.schemaPath.includes('/anyOf/') || e.schemaPath.includes('/not/')) continue;
    const path = pointerPath(e.instancePath);
    const parent = e.parentSchema as Record<string, unknown> | undefined;
    const hint = typeof parent?.['x-hint'] === 'string' ? parent['x-hint'] : undefined;
    const field = typeof parent?.['x-field'] === 'string' ? parent['x-field'] : undefined;
    let issue: PolicyIssue;
    switch (e.keyword) {
      case 'additionalProperties': {
        const key = String(e.params['additionalProperty']);
        const allowed = Object.keys((parent?.['properties'] as object | undefined) ?? {});
        const guess = closest(key, allowed);
        issue = { path: formatPath([...path, key]), message: `unknown key${guess ? ` (did you mean ${guess}?)` : ''}; allowed: ${allowed.join(', ')}`, line: at.keyLine(path, key) };
        break;
      }
      case 'required': {
        const key = String(e.params['missingProperty']);
        // The line of the mapping that lacks it: its key, or for a list item the item itself.
        const last = path.at(-1);
        issue = { path: formatPath([...path, key]), message: 'is required', line: last === undefined ? undefined : typeof last === 'number' ? at.valueLine(path) : at.keyLine(path.slice(0, -1), last) };
        break;
      }
      case 'anyOf':
      case 'not': {
        // Rules between keys mean nothing once the spec is not a mapping (its type error says so).
        if (field && (typeof e.data !== 'object' || e.data === null || Array.isArray(e.data))) continue;
        const target = field ? [...path, field] : path;
        const line = field && (at.has(target) ? at.keyLine(path, field) : path.length ? at.keyLine(path.slice(0, -1), String(path.at(-1))) : undefined);
        issue = { path: formatPath(target), message: field ? (hint ?? 'is invalid') : `${JSON.stringify(at.get(value, path))} ${hint ?? 'is invalid'}`, line: line || (field ? undefined : at.valueLine(path)) };
        break;
      }
      case 'const':
        issue = { path: formatPath(path), message: `must be ${JSON.stringify(e.params['allowedValue'])}, got ${JSON.stringify(e.data)}`, line: at.valueLine(path) };
        break;
      case 'enum':
        issue = { path: formatPath(path), message: `must be one of ${(e.params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}, got ${JSON.stringify(e.data)}`, line: at.valueLine(path) };
        break;
      case 'pattern':
        issue = { path: formatPath(path), message: `${JSON.stringify(e.data)} ${hint ?? `must match ${String(e.params['pattern'])}`}`, line: at.valueLine(path) };
        break;
      case 'uniqueItems':
        issue = { path: formatPath([...path, Number(e.params['i'])]), message: `${JSON.stringify((e.data as unknown[])[Number(e.params['i'])])} is listed twice`, line: at.valueLine([...path, Number(e.params['i'])]) };
        break;
      case 'type':
        issue = { path: formatPath(path), message: `must be ${typeName(String(e.params['type']))}, got ${JSON.stringify(e.data)}`, line: at.valueLine(path) };
        break;
      case 'minimum':
      case 'maximum': {
        const s = parent as { minimum?: number; maximum?: number } | undefined;
        issue = { path: formatPath(path), message: `must be a whole number from ${s?.minimum ?? 0} to ${s?.maximum ?? 'any'}, got ${JSON.stringify(e.data)}`, line: at.valueLine(path) };
        break;
      }
      case 'minItems':
        issue = { path: formatPath(path), message: `must list at least ${String(e.params['limit'])}`, line: at.valueLine(path) };
        break;
      case 'maxItems':
        issue = { path: formatPath(path), message: `must list at most ${String(e.params['limit'])}`, line: at.valueLine(path) };
        break;
      case 'maxLength':
        issue = { path: formatPath(path), message: `must be at most ${String(e.params['limit'])} characters, got ${String(e.data).length}`, line: at.valueLine(path) };
        break;
      default:
        issue = { path: formatPath(path), message: e.message ?? 'is invalid', line: at.valueLine(path) };
    }
    const key = `${issue.path}|${issue.message}`;
    if (!seen.has(key)) out.push(issue);
    seen.add(key);
  }
  // In the order a reader meets them in the file.
  return out.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
}

const typeName = (t: string) => (t === 'boolean' ? 'true or false' : t === 'integer' ? 'a whole number' : t === 'object' ? 'a mapping' : t === 'array' ? 'a list' : `a ${t}`);

/** What a JSON Schema cannot say. */
function semanticIssues(spec: Spec, at: Locator): PolicyIssue[] {
  const out: PolicyIssue[] = [];
  const add = (path: Path, message: string) => out.push({ path: formatPath(path), message, line: at.valueLine(path) });
  const requirementIssues = (path: Path, requirements: SpecRequirement[] | undefined) => {
    const names = new Set<string>();
    requirements?.forEach((q, i) => {
      if (names.has(q.name)) add([...path, i, 'name'], `"${q.name}" is used by another requirement`);
      names.add(q.name);
      if (!q.approvers.some((a) => a.startsWith('group:')) && (q.quorum ?? 1) > q.approvers.length) add([...path, i, 'quorum'], `cannot exceed the ${q.approvers.length} listed approvers`);
    });
  };
  requirementIssues(['spec', 'requirements'], spec.requirements);
  const tierNames = new Set<string>();
  spec.tiers?.forEach((t, i) => {
    if (tierNames.has(t.name)) add(['spec', 'tiers', i, 'name'], `"${t.name}" is used by another tier`);
    tierNames.add(t.name);
    // The server compiles conditions with the same library and limits; a file that fails here would fail there.
    try {
      compileCondition(t.when);
    } catch (err) {
      add(['spec', 'tiers', i, 'when'], (err as Error).message);
    }
    requirementIssues(['spec', 'tiers', i, 'requirements'], t.requirements);
  });
  if (spec.approvers && !spec.approvers.some((a) => a.startsWith('group:')) && (spec.quorum ?? 1) > spec.approvers.length) add(['spec', 'quorum'], `cannot exceed the ${spec.approvers.length} listed approvers`);
  const grant = spec.grantDurationSeconds ?? (spec.grantDuration === undefined ? undefined : parseDuration(spec.grantDuration));
  if (spec.grantDurationSeconds === undefined && grant !== undefined && (grant < MIN_GRANT || grant > MAX_GRANT)) add(['spec', 'grantDuration'], 'must be between 1m and 30d');
  if (spec.maxGrantDuration !== undefined) {
    const max = parseDuration(spec.maxGrantDuration);
    if (max < MIN_GRANT || max > MAX_GRANT) add(['spec', 'maxGrantDuration'], 'must be between 1m and 30d');
    else if (grant !== undefined && max < grant) add(['spec', 'maxGrantDuration'], `must be at least the grant duration (${formatDuration(grant)}), the length a request gets by default`);
  }
  const ackIds = new Set<string>();
  spec.acknowledgements?.forEach((a, i) => {
    if (ackIds.has(a.id)) add(['spec', 'acknowledgements', i, 'id'], `"${a.id}" is used by another acknowledgement`);
    ackIds.add(a.id);
  });
  out.push(...parametersSchemaIssues(spec, at));
  if (spec.rerequestCooldown !== undefined && parseDuration(spec.rerequestCooldown) > MAX_TIMER) add(['spec', 'rerequestCooldown'], 'must be at most 365d');
  const after = spec.reminders?.after?.map((d) => parseDuration(d)) ?? [];
  after.forEach((s, i) => {
    if (i > 0 && s <= (after[i - 1] ?? 0)) add(['spec', 'reminders', 'after', i], 'must be later than the reminder before it');
  });
  if (spec.reminders?.every !== undefined && parseDuration(spec.reminders.every) < 60) add(['spec', 'reminders', 'every'], 'must be at least 1m, so reminders cannot flood approvers');
  const loopTo = spec.escalation?.loopTo;
  if (loopTo !== undefined && spec.escalation) {
    if (loopTo >= spec.escalation.tiers.length) add(['spec', 'escalation', 'loopTo'], `must be the index of a tier (0-${spec.escalation.tiers.length - 1})`);
    else if (spec.expireAfter === undefined) add(['spec', 'escalation', 'loopTo'], 'a looping escalation needs expireAfter, so the loop ends');
    spec.escalation.tiers.forEach((t, i) => {
      if (i >= loopTo && parseDuration(t.after) < 60) add(['spec', 'escalation', 'tiers', i, 'after'], 'must be at least 1m for a tier that repeats in the loop');
    });
  }
  return out;
}

/** The server's grant bounds (1m-30d). */
const MIN_GRANT = 60;
const MAX_GRANT = 2_592_000;
/** The longest timer the server takes (sla, expiry, re-request cooldown …): 365 days. */
const MAX_TIMER = 365 * 86_400;
/** The server refuses a parameters schema larger than this (canonical JSON). */
const MAX_SCHEMA_BYTES = 16 * 1024;

/**
 * The parameters schema compiles as the server compiles it (draft 2020-12, strict:
 * a misspelt keyword is an error, not ignored), describes an object, and has every
 * parameter approvers may edit.
 */
function parametersSchemaIssues(spec: Spec, at: Locator): PolicyIssue[] {
  const out: PolicyIssue[] = [];
  const base: Path = ['spec', 'parametersSchema'];
  const add = (path: Path, message: string, line = at.valueLine(path)) => out.push({ path: formatPath(path), message, line });
  const schema = spec.parametersSchema;
  const editable = (spec.approverEditable ?? []).map((f, i) => [f, i] as const).filter(([f]) => f.startsWith('parameters.'));
  if (!schema) {
    for (const [, i] of editable) add(['spec', 'approverEditable', i], 'names a parameter, but the policy has no parametersSchema');
    return out;
  }
  if (JSON.stringify(schema).length > MAX_SCHEMA_BYTES) return [{ path: formatPath(base), message: `must be at most ${MAX_SCHEMA_BYTES} bytes as JSON`, line: at.valueLine(base) }];
  if (schema['type'] !== 'object') add(at.has([...base, 'type']) ? [...base, 'type'] : base, 'must be "object": parameters are named');
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false });
  if (!ajv.validateSchema(schema)) {
    // The meta-schema's own anyOf branches explain nothing; the remaining errors point at the bad keyword.
    const errors = (ajv.errors ?? []).filter((e) => !e.schemaPath.includes('anyOf') && e.keyword !== 'anyOf' && e.keyword !== '$dynamicRef');
    const seen = new Set<string>();
    for (const e of errors.length ? errors : (ajv.errors ?? []).slice(0, 1)) {
      const path = [...base, ...pointerPath(e.instancePath)];
      const allowed = e.keyword === 'enum' ? (e.params as { allowedValues: unknown[] }).allowedValues : undefined;
      const message = `is not a valid JSON Schema: ${allowed ? `must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}, got ${JSON.stringify(at.get(schema, pointerPath(e.instancePath)))}` : (e.message ?? 'is invalid')}`;
      if (!seen.has(`${formatPath(path)}|${message}`)) add(path, message);
      seen.add(`${formatPath(path)}|${message}`);
    }
    return out;
  }
  try {
    ajv.compile(schema);
  } catch (err) {
    // Strict mode names an unknown keyword ("maximun"); point at it where it is.
    const message = (err as Error).message;
    const keyword = /unknown keyword: "([^"]+)"/.exec(message)?.[1];
    const where = keyword === undefined ? undefined : findKey(schema, keyword);
    add(where ? [...base, ...where] : base, `is not a valid JSON Schema: ${message}`, where ? at.keyLine([...base, ...where.slice(0, -1)], keyword as string) : undefined);
    return out;
  }
  // With additionalProperties false, an editable parameter the schema does not declare could never be set.
  const properties = schema['properties'] && typeof schema['properties'] === 'object' ? Object.keys(schema['properties']) : undefined;
  if (properties && schema['additionalProperties'] === false) {
    for (const [f, i] of editable) {
      const name = f.slice('parameters.'.length);
      if (properties.includes(name)) continue;
      const guess = closest(name, properties);
      add(['spec', 'approverEditable', i], `${JSON.stringify(f)} is not a parameter of parametersSchema${guess ? ` (did you mean parameters.${guess}?)` : ''}; its parameters: ${properties.join(', ')}`);
    }
  }
  return out;
}

/** The path of the first key named `key` anywhere in `value` (depth first), or undefined. */
function findKey(value: unknown, key: string): Path | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  if (!Array.isArray(value) && key in value) return [key];
  for (const [k, v] of entries) {
    const found = findKey(v, key);
    if (found) return [k, ...found];
  }
  return undefined;
}

const seconds = (d: string | number | undefined) => String(d === undefined ? 0 : parseDuration(d));

const toRequirement = (q: SpecRequirement) => ({ name: q.name, approvers: q.approvers, quorum: q.quorum ?? 1 });

function toPolicy(spec: Spec): approvalsv1.Policy {
  const grant = spec.grantDurationSeconds ?? parseDuration(spec.grantDuration as string | number);
  return approvalsv1.Policy.fromPartial({
    id: spec.id,
    action: spec.action,
    approvers: spec.requirements ? [] : (spec.approvers ?? []),
    quorum: spec.requirements ? 0 : (spec.quorum ?? 1),
    requirements: (spec.requirements ?? []).map(toRequirement),
    tiers: (spec.tiers ?? []).map((t) => ({ name: t.name, when: t.when, requirements: (t.requirements ?? []).map(toRequirement) })),
    allowSelfApproval: spec.allowSelfApproval ?? false,
    allowBreakGlass: spec.allowBreakGlass ?? false,
    extensionRequiresApproval: spec.extensionRequiresApproval ?? false,
    requireStepUpToAct: spec.requireStepUpToAct ?? false,
    requireStepUpToApprove: spec.requireStepUpToApprove ?? false,
    requireJustification: spec.requireJustification ?? false,
    // int64 travels as a decimal string (ts-proto forceLong=string).
    grantDurationSeconds: String(grant),
    slackChannel: spec.slackChannel ?? '',
    acknowledgements: (spec.acknowledgements ?? []).map((a) => ({ id: a.id, text: a.text })),
    // 0 leaves the cap at the grant duration.
    maxGrantDurationSeconds: seconds(spec.maxGrantDuration),
    approverEditable: spec.approverEditable ?? [],
    // A google.protobuf.Struct: the schema travels as the object it is.
    parametersSchema: spec.parametersSchema,
    // 0: ask again at once after a decline; no daily cap.
    rerequestCooldownSeconds: seconds(spec.rerequestCooldown),
    maxRequestsPerDay: spec.maxRequestsPerDay ?? 0,
    ...(hasSchedule(spec)
      ? {
          schedule: {
            slaSeconds: seconds(spec.sla),
            reminderAfterSeconds: (spec.reminders?.after ?? []).map((d) => seconds(d)),
            reminderRepeatSeconds: seconds(spec.reminders?.every),
            escalation: (spec.escalation?.tiers ?? []).map((t) => ({
              afterSeconds: seconds(t.after),
              approvers: t.approvers,
              mode: t.mode === 'replace' ? approvalsv1.EscalationMode.ESCALATION_MODE_REPLACE : approvalsv1.EscalationMode.ESCALATION_MODE_ADD,
            })),
            escalationLoopTo: spec.escalation?.loopTo,
            expireAfterSeconds: seconds(spec.expireAfter),
          },
        }
      : {}),
  });
}

const hasSchedule = (s: Spec) => s.sla !== undefined || s.reminders !== undefined || s.escalation !== undefined || s.expireAfter !== undefined;

/** Lines of values and keys in one parsed document. */
class Locator {
  constructor(private readonly doc: Document, private readonly lines: LineCounter) {}

  has(path: Path): boolean {
    return this.doc.hasIn(path);
  }

  get(value: unknown, path: Path): unknown {
    return path.reduce<unknown>((v, k) => (v as Record<string | number, unknown> | undefined)?.[k], value);
  }

  valueLine(path: Path): number | undefined {
    const node = (path.length ? this.doc.getIn(path, true) : this.doc.contents) as { range?: [number, number, number] } | undefined;
    return node?.range ? this.lines.linePos(node.range[0]).line : undefined;
  }

  keyLine(path: Path, key: string): number | undefined {
    const map = path.length ? this.doc.getIn(path, true) : this.doc.contents;
    if (!isMap(map)) return undefined;
    const pair = map.items.find((p) => isScalar(p.key) && p.key.value === key);
    const range = isScalar(pair?.key) ? pair.key.range : undefined;
    return range ? this.lines.linePos(range[0]).line : undefined;
  }
}

function formatPath(path: Path): string {
  if (!path.length) return '(document)';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

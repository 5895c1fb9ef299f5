import { isMap, isScalar, LineCounter, parseAllDocuments, type Document } from 'yaml';
import { patterns } from '@assent/platform';
import { approvalsv1 } from '@assent/proto';
import { closest } from './closest.js';
import { parseDuration } from './duration.js';

export const policyApiVersion = 'assent.dev/v1';

/** One problem in a policy file, located by YAML path and line. */
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

const rootKeys = ['apiVersion', 'kind', 'spec'];
const specKeys = ['id', 'action', 'approvers', 'quorum', 'allowSelfApproval', 'requireJustification', 'grantDuration', 'grantDurationSeconds', 'slackChannel'];
// Approvers: "user:bob" (or an issuer-namespaced "user:okta:bob"), "group:finance#member".
const subjectPattern = patterns.approver;
const maxUint32 = 4_294_967_295;

/**
 * Parses a YAML file of one or more `kind: Policy` documents (separated by `---`) into
 * policies for ApprovalsService.PutPolicy. Every problem in every document is reported
 * together, so a file is applied whole or not at all.
 */
export function parsePolicyDocuments(text: string): approvalsv1.Policy[] {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines });
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
    if (doc.toJS() == null) continue; // an empty document, e.g. after a trailing "---"
    const policy = new DocumentChecker(doc, lines, issues).check();
    if (policy) policies.push(policy);
  }
  if (!issues.length && !policies.length) issues.push({ path: '(file)', message: 'contains no policy document' });
  if (issues.length) throw new PolicyDocumentError(issues);
  return policies;
}

class DocumentChecker {
  private readonly before: number;

  constructor(private readonly doc: Document, private readonly lines: LineCounter, private readonly issues: PolicyIssue[]) {
    this.before = issues.length;
  }

  check(): approvalsv1.Policy | undefined {
    const root = this.doc.toJS() as unknown;
    if (!isRecord(root)) {
      this.fail([], 'must be a mapping with apiVersion, kind and spec');
      return undefined;
    }
    this.rejectUnknown([], root, rootKeys);
    this.constant(root, 'apiVersion', policyApiVersion);
    this.constant(root, 'kind', 'Policy');
    const spec = root['spec'];
    if (spec === undefined) this.fail(['spec'], 'is required', []);
    else if (!isRecord(spec)) this.fail(['spec'], 'must be a mapping');
    else return this.checkSpec(spec);
    return undefined;
  }

  private checkSpec(spec: Record<string, unknown>): approvalsv1.Policy | undefined {
    this.rejectUnknown(['spec'], spec, specKeys);
    const id = this.string(spec, 'id', true);
    const action = this.string(spec, 'action', true);
    if (action && !patterns.action.test(action)) this.fail(['spec', 'action'], `"${action}" must be dotted lowercase words, e.g. payouts.change_details`);
    const approvers = this.approvers(spec);
    const quorum = this.integer(spec, 'quorum', maxUint32);
    const allowSelfApproval = this.boolean(spec, 'allowSelfApproval');
    const requireJustification = this.boolean(spec, 'requireJustification');
    const grantDurationSeconds = this.grantDuration(spec);
    const slackChannel = this.string(spec, 'slackChannel', false);
    if (this.issues.length > this.before) return undefined;
    return approvalsv1.Policy.fromPartial({
      id,
      action,
      approvers,
      quorum: quorum ?? 1,
      allowSelfApproval: allowSelfApproval ?? false,
      requireJustification: requireJustification ?? false,
      // int64 travels as a decimal string (ts-proto forceLong=string).
      grantDurationSeconds: String(grantDurationSeconds),
      slackChannel: slackChannel ?? '',
    });
  }

  private approvers(spec: Record<string, unknown>): string[] {
    const value = spec['approvers'];
    const path = ['spec', 'approvers'];
    if (value === undefined) {
      this.fail(path, 'is required: a list of OpenFGA subjects such as user:bob', ['spec']);
      return [];
    }
    if (!Array.isArray(value) || value.length === 0) {
      this.fail(path, 'must be a non-empty list, e.g. ["user:bob", "group:finance#member"]');
      return [];
    }
    const seen = new Set<string>();
    value.forEach((a: unknown, i) => {
      if (typeof a !== 'string' || !subjectPattern.test(a)) this.fail([...path, i], `${JSON.stringify(a)} is not an OpenFGA subject like user:bob or group:finance#member`);
      else if (seen.has(a)) this.fail([...path, i], `"${a}" is listed twice`);
      else seen.add(a);
    });
    return [...seen];
  }

  private grantDuration(spec: Record<string, unknown>): number | undefined {
    const human = spec['grantDuration'];
    const seconds = spec['grantDurationSeconds'];
    if (human !== undefined && seconds !== undefined) {
      this.fail(['spec', 'grantDurationSeconds'], 'set either grantDuration or grantDurationSeconds, not both');
      return undefined;
    }
    if (seconds !== undefined) return this.integer(spec, 'grantDurationSeconds', Number.MAX_SAFE_INTEGER);
    if (human === undefined) {
      this.fail(['spec', 'grantDuration'], 'is required: how long access lasts after approval, e.g. 1h (or grantDurationSeconds: 3600)', ['spec']);
      return undefined;
    }
    try {
      if (typeof human !== 'string' && typeof human !== 'number') throw new Error('must be a duration such as 30m, 1h or 2h30m');
      return parseDuration(human);
    } catch (err) {
      this.fail(['spec', 'grantDuration'], (err as Error).message);
      return undefined;
    }
  }

  private constant(obj: Record<string, unknown>, key: string, expected: string): void {
    const value = obj[key];
    if (value === undefined) this.fail([key], `is required (${key}: ${expected})`, []);
    else if (value !== expected) this.fail([key], `must be "${expected}", got ${JSON.stringify(value)}`);
  }

  private string(obj: Record<string, unknown>, key: string, required: boolean): string | undefined {
    const value = obj[key];
    if (value === undefined) {
      if (required) this.fail(['spec', key], 'is required', ['spec']);
      return undefined;
    }
    if (typeof value === 'string' && value.trim() !== '') return value;
    this.fail(['spec', key], 'must be a non-empty string');
    return undefined;
  }

  private integer(obj: Record<string, unknown>, key: string, max: number): number | undefined {
    const value = obj[key];
    if (value === undefined) return undefined;
    if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= max) return value;
    this.fail(['spec', key], `must be a whole number from 1 to ${max}, got ${JSON.stringify(value)}`);
    return undefined;
  }

  private boolean(obj: Record<string, unknown>, key: string): boolean | undefined {
    const value = obj[key];
    if (value === undefined || typeof value === 'boolean') return value;
    this.fail(['spec', key], `must be true or false, got ${JSON.stringify(value)}`);
    return undefined;
  }

  private rejectUnknown(path: Path, obj: Record<string, unknown>, allowed: string[]): void {
    for (const key of Object.keys(obj)) {
      if (allowed.includes(key)) continue;
      const guess = closest(key, allowed);
      this.issues.push({
        path: formatPath([...path, key]),
        message: `unknown key${guess ? ` (did you mean ${guess}?)` : ''}; allowed: ${allowed.join(', ')}`,
        line: this.keyLine(path, key),
      });
    }
  }

  /**
   * Records an issue at path. A missing key has no line of its own, so `missingIn`
   * names the mapping it belongs in and the issue points at that mapping's key.
   */
  private fail(path: Path, message: string, missingIn?: Path): void {
    const line = missingIn ? (missingIn.length ? this.keyLine(missingIn.slice(0, -1), String(missingIn.at(-1))) : undefined) : this.valueLine(path);
    this.issues.push({ path: formatPath(path), message, line });
  }

  private valueLine(path: Path): number | undefined {
    const node = this.doc.getIn(path, true) as { range?: [number, number, number] } | undefined;
    return node?.range ? this.lines.linePos(node.range[0]).line : undefined;
  }

  private keyLine(path: Path, key: string): number | undefined {
    const map = this.doc.getIn(path, true);
    if (!isMap(map)) return undefined;
    const pair = map.items.find((p) => isScalar(p.key) && p.key.value === key);
    const range = isScalar(pair?.key) ? pair.key.range : undefined;
    return range ? this.lines.linePos(range[0]).line : undefined;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function formatPath(path: Path): string {
  if (!path.length) return '(document)';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { approvalsv1 } from '@assent/proto';
import { parsePolicyDocuments, PolicyDocumentError, formatIssue } from './policy-document.js';

const example = readFileSync(new URL('../../examples/payouts-policy.yaml', import.meta.url), 'utf8');
const refunds = readFileSync(new URL('../../examples/refund-policy.yaml', import.meta.url), 'utf8');

const doc = (spec: string) => `apiVersion: assent.dev/v1
kind: Policy
spec:
${spec
  .trim()
  .split('\n')
  .map((l) => `  ${l}`)
  .join('\n')}
`;

const minimal = `id: p1
action: payouts.change_details
approvers: ["user:bob"]
grantDuration: 30m`;

function issues(text: string): string[] {
  try {
    parsePolicyDocuments(text);
  } catch (err) {
    if (err instanceof PolicyDocumentError) return err.issues.map(formatIssue);
    throw err;
  }
  throw new Error('expected the document to be rejected');
}

const twoGroups = `id: vendor-payout
action: payouts.approve_vendor
requirements:
  - name: finance
    approvers: ["group:finance-leads#member"]
  - name: security
    approvers: ["group:security#member", "user:dana"]
    quorum: 2
grantDuration: 30m
sla: 4h
reminders:
  after: [1h, 2h]
  every: 4h
escalation:
  tiers:
    - after: 2h
      approvers: ["user:cfo"]
    - after: 1h
      approvers: ["group:oncall#member"]
      mode: replace
  loopTo: 1
expireAfter: 3d`;

describe('parsePolicyDocuments', () => {
  it('maps requirements (AND of groups) and every timer to the Policy message', () => {
    expect(parsePolicyDocuments(doc(twoGroups))).toEqual([
      approvalsv1.Policy.fromPartial({
        id: 'vendor-payout',
        action: 'payouts.approve_vendor',
        requirements: [
          { name: 'finance', approvers: ['group:finance-leads#member'], quorum: 1 },
          { name: 'security', approvers: ['group:security#member', 'user:dana'], quorum: 2 },
        ],
        grantDurationSeconds: '1800',
        schedule: {
          slaSeconds: '14400',
          reminderAfterSeconds: ['3600', '7200'],
          reminderRepeatSeconds: '14400',
          escalation: [
            { afterSeconds: '7200', approvers: ['user:cfo'], mode: approvalsv1.EscalationMode.ESCALATION_MODE_ADD },
            { afterSeconds: '3600', approvers: ['group:oncall#member'], mode: approvalsv1.EscalationMode.ESCALATION_MODE_REPLACE },
          ],
          escalationLoopTo: 1,
          expireAfterSeconds: '259200',
        },
      }),
    ]);
  });

  it('reads JSON documents too, against the same schema', () => {
    const json = JSON.stringify({ apiVersion: 'assent.dev/v1', kind: 'Policy', spec: { id: 'p1', action: 'keys.rotate', approvers: ['user:bob'], grantDuration: '1h' } }, null, 2);
    expect(parsePolicyDocuments(json).map((p) => [p.id, p.grantDurationSeconds])).toEqual([['p1', '3600']]);
    expect(issues(json.replace('"1h"', '"soon"'))).toEqual(['spec.grantDuration (line 10): "soon" is not a duration; use e.g. 30m, 1h, 2h30m or a whole number of seconds']);
  });

  it('checks what the schema cannot: unique names, reachable quorum, ascending reminders, a bounded loop', () => {
    const bad = twoGroups
      .replace('name: security', 'name: finance')
      .replace('quorum: 2', 'quorum: 3')
      .replace('["group:security#member", "user:dana"]', '["user:dana", "user:erin"]')
      .replace('after: [1h, 2h]', 'after: [2h, 1h]')
      .replace('every: 4h', 'every: 30s')
      .replace('expireAfter: 3d', '');
    expect(issues(doc(bad))).toEqual([
      'spec.requirements[1].name (line 9): "finance" is used by another requirement',
      'spec.requirements[1].quorum (line 11): cannot exceed the 2 listed approvers',
      'spec.reminders.after[1] (line 15): must be later than the reminder before it',
      'spec.reminders.every (line 16): must be at least 1m, so reminders cannot flood approvers',
      'spec.escalation.loopTo (line 24): a looping escalation needs expireAfter, so the loop ends',
    ]);
  });

  it('refuses approvers and requirements together, and a bad escalation mode', () => {
    expect(issues(doc(twoGroups.replace('requirements:', 'approvers: ["user:bob"]\nrequirements:').replace('mode: replace', 'mode: swap')))).toEqual([
      'spec.requirements (line 7): set either approvers (with quorum) or requirements, not both',
      'spec.escalation.tiers[1].mode (line 24): must be one of "add", "replace", got "swap"',
    ]);
  });

  it('maps the example document to an approvals Policy', () => {
    expect(parsePolicyDocuments(example)).toEqual([
      approvalsv1.Policy.fromPartial({
        id: 'payout-details-change',
        action: 'payouts.change_details',
        approvers: ['user:bob', 'user:carol'],
        quorum: 1,
        allowSelfApproval: false,
        requireJustification: true,
        grantDurationSeconds: '3600',
        slackChannel: 'C0PAYOUTS',
        hash: '',
      }),
    ]);
  });

  it('maps acknowledgements, the grant cap, approver edits, the parameters schema and the re-request rules (the refund example)', () => {
    expect(parsePolicyDocuments(refunds)).toEqual([
      approvalsv1.Policy.fromPartial({
        id: 'refund-issue',
        action: 'refunds.issue',
        approvers: ['user:bob', 'user:carol', 'user:erin'],
        quorum: 2,
        requireJustification: true,
        grantDurationSeconds: '3600',
        maxGrantDurationSeconds: '14400',
        acknowledgements: [
          { id: 'checked-order', text: 'I checked the order and the reason for the refund.' },
          { id: 'customer-contacted', text: 'I confirmed the refund with the customer on a known contact channel.' },
        ],
        approverEditable: ['grant_duration_seconds', 'parameters.amount'],
        rerequestCooldownSeconds: '86400',
        maxRequestsPerDay: 3,
        extensionRequiresApproval: true,
        parametersSchema: {
          type: 'object',
          properties: {
            amount: { type: 'number', exclusiveMinimum: 0, maximum: 10000, description: 'Refund amount in currency units' },
            currency: { enum: ['EUR', 'USD'] },
          },
          required: ['amount', 'currency'],
          additionalProperties: false,
        },
      }),
    ]);
  });

  it('leaves the new fields empty when a document does not use them', () => {
    const [p] = parsePolicyDocuments(doc(minimal));
    expect(p).toMatchObject({ acknowledgements: [], maxGrantDurationSeconds: '0', approverEditable: [], parametersSchema: undefined, rerequestCooldownSeconds: '0', maxRequestsPerDay: 0 });
  });

  it('takes maxGrantDuration as a duration or whole seconds, and JSON documents too', () => {
    const json = JSON.stringify({ apiVersion: 'assent.dev/v1', kind: 'Policy', spec: { id: 'p1', action: 'keys.rotate', approvers: ['user:bob'], grantDurationSeconds: 600, maxGrantDuration: 7200, approverEditable: ['effective_at'] } });
    expect(parsePolicyDocuments(json).map((p) => [p.grantDurationSeconds, p.maxGrantDurationSeconds, p.approverEditable])).toEqual([['600', '7200', ['effective_at']]]);
    expect(parsePolicyDocuments(doc(`${minimal}\nmaxGrantDuration: 2h30m`))[0]?.maxGrantDurationSeconds).toBe('9000');
  });

  it('rejects bad acknowledgements, editable fields and durations with path and line', () => {
    const bad = `${minimal}
maxGrantDuration: soon
acknowledgements:
  - id: Checked
    text: "  "
  - id: called
approverEditable: [grant_duration, effective_at, effective_at]`;
    expect(issues(doc(bad))).toEqual([
      'spec.maxGrantDuration (line 8): "soon" is not a duration; use e.g. 30m, 1h, 2h30m or a whole number of seconds',
      'spec.acknowledgements[0].id (line 10): "Checked" must be 1-63 lowercase letters, digits or "-"',
      'spec.acknowledgements[0].text (line 11): "  " must say what the approver confirms (1-500 characters)',
      'spec.acknowledgements[1].text (line 12): is required',
      'spec.approverEditable[0] (line 13): "grant_duration" is not an editable field: use grant_duration_seconds, effective_at or parameters.<name>',
      'spec.approverEditable[2] (line 13): "effective_at" is listed twice',
    ]);
    expect(issues(doc(`${minimal}\nacknowledgements: [{ id: a, text: "${'x'.repeat(501)}" }]`))).toEqual(['spec.acknowledgements[0].text (line 8): must be at most 500 characters, got 501']);
  });

  it('checks what the schema cannot: a cap below the grant, repeated acknowledgement ids, parameters without a schema', () => {
    const bad = `${minimal}
maxGrantDuration: 10m
acknowledgements:
  - { id: called, text: I called the vendor. }
  - { id: called, text: I called the vendor again. }
approverEditable: [parameters.amount]`;
    expect(issues(doc(bad))).toEqual([
      'spec.maxGrantDuration (line 8): must be at least the grant duration (30m), the length a request gets by default',
      'spec.acknowledgements[1].id (line 11): "called" is used by another acknowledgement',
      'spec.approverEditable[0] (line 12): names a parameter, but the policy has no parametersSchema',
    ]);
    expect(issues(doc(`${minimal}\nmaxGrantDuration: 31d`))).toEqual(['spec.maxGrantDuration (line 8): must be between 1m and 30d']);
  });

  it('compiles parametersSchema as the server does: strict draft 2020-12, an object, every editable parameter declared', () => {
    const schema = (properties: string, extra = '') => `${minimal}
parametersSchema:
  type: object
  properties:
${properties}
  additionalProperties: false${extra}`;
    expect(issues(doc(schema('    amount: { type: numbr }')))).toEqual([
      'spec.parametersSchema.properties.amount.type (line 11): is not a valid JSON Schema: must be one of "array", "boolean", "integer", "null", "number", "object", "string", got "numbr"',
    ]);
    expect(issues(doc(schema('    amount:\n      type: number\n      maximun: 10')))).toEqual([
      'spec.parametersSchema.properties.amount.maximun (line 13): is not a valid JSON Schema: strict mode: unknown keyword: "maximun"',
    ]);
    expect(issues(doc(schema('    amount: { type: number }', '\napproverEditable: [parameters.amont]')))).toEqual([
      'spec.approverEditable[0] (line 13): "parameters.amont" is not a parameter of parametersSchema (did you mean parameters.amount?); its parameters: amount',
    ]);
    expect(issues(doc(`${minimal}\nparametersSchema: { type: array }`))).toEqual(['spec.parametersSchema.type (line 8): must be "object": parameters are named']);
    expect(issues(doc(`${minimal}\nparametersSchema: [1]`))).toEqual(['spec.parametersSchema (line 8): must be a mapping, got [1]']);
  });

  it('maps rerequestCooldown (a duration) and maxRequestsPerDay', () => {
    expect(parsePolicyDocuments(doc(`${minimal}\nrerequestCooldown: 1d\nmaxRequestsPerDay: 5`)).map((p) => [p.rerequestCooldownSeconds, p.maxRequestsPerDay])).toEqual([['86400', 5]]);
    const json = JSON.stringify({ apiVersion: 'assent.dev/v1', kind: 'Policy', spec: { id: 'p1', action: 'keys.rotate', approvers: ['user:bob'], grantDuration: '1h', rerequestCooldown: 900, maxRequestsPerDay: 0 } });
    expect(parsePolicyDocuments(json).map((p) => [p.rerequestCooldownSeconds, p.maxRequestsPerDay])).toEqual([['900', 0]]);
  });

  it('rejects a re-request cooldown that is no duration, zero or over 365d, and a daily cap outside 0-1000', () => {
    expect(issues(doc(`${minimal}\nrerequestCooldown: later\nmaxRequestsPerDay: 1001`))).toEqual([
      'spec.rerequestCooldown (line 8): "later" is not a duration; use e.g. 30m, 1h, 2h30m or a whole number of seconds',
      'spec.maxRequestsPerDay (line 9): must be a whole number from 0 to 1000, got 1001',
    ]);
    // Leave the key out for no cooldown: a zero duration is refused with its line, in any spelling.
    for (const zero of ['0', '"0"', '0m', '" "']) {
      expect(issues(doc(`${minimal}\nrerequestCooldown: ${zero}`)), zero).toEqual([expect.stringMatching(/^spec\.rerequestCooldown \(line 8\): .* is not a duration; use e\.g\. 30m/)]);
    }
    expect(issues(doc(`${minimal}\nrerequestCooldown: 366d`))).toEqual(['spec.rerequestCooldown (line 8): must be at most 365d']);
    expect(issues(doc(`${minimal}\nmaxRequestsPerDay: -1`))).toEqual(['spec.maxRequestsPerDay (line 8): must be a whole number from 0 to 1000, got -1']);
    expect(issues(doc(`${minimal}\nmaxRequestsPerDay: 2.5`))).toEqual(['spec.maxRequestsPerDay (line 8): must be a whole number, got 2.5']);
  });

  it('maps protection tiers in order; a tier without requirements leaves them empty (the policy\'s apply)', () => {
    const tiered = `${minimal}
tiers:
  - name: large
    when: context.amount > 10000
    requirements:
      - { name: finance, approvers: ["group:finance#member"] }
      - { name: risk, approvers: ["group:risk#member"], quorum: 2 }
  - name: medium
    when: "context.amount > 1000"`;
    expect(parsePolicyDocuments(doc(tiered))[0]?.tiers).toEqual([
      {
        name: 'large',
        when: 'context.amount > 10000',
        requirements: [
          { name: 'finance', approvers: ['group:finance#member'], quorum: 1 },
          { name: 'risk', approvers: ['group:risk#member'], quorum: 2 },
        ],
      },
      { name: 'medium', when: 'context.amount > 1000', requirements: [] },
    ]);
    expect(parsePolicyDocuments(doc(minimal))[0]?.tiers).toEqual([]);
  });

  it('rejects bad tiers with path and line: names, conditions that do not compile or cost too much, their requirements', () => {
    const bad = `${minimal}
tiers:
  - name: Large
    when: context.amount >
  - name: medium
    when: context.items.all(x, context.items.all(y, x < y))
    requirements:
      - { name: finance, approvers: ["user:bob"], quorum: 2 }
      - { name: finance, approvers: ["user:carol"] }
  - name: medium
    when: "1 + 2"
  - name: small`;
    expect(issues(doc(bad))).toEqual([
      'spec.tiers[0].name (line 9): "Large" must be 1-63 lowercase letters, digits or "-", starting with a letter',
      'spec.tiers[3].when (line 18): is required',
    ]);
    expect(issues(doc(bad.replace('Large', 'large').replace('  - name: small', '')))).toEqual([
      expect.stringMatching(/^spec\.tiers\[0\]\.when \(line 10\): does not compile: /),
      expect.stringMatching(/^spec\.tiers\[1\]\.when \(line 12\): exceeds the cost limit: estimated \d+, at most 100000/),
      'spec.tiers[1].requirements[0].quorum (line 14): cannot exceed the 1 listed approvers',
      'spec.tiers[1].requirements[1].name (line 15): "finance" is used by another requirement',
      'spec.tiers[2].name (line 16): "medium" is used by another tier',
      'spec.tiers[2].when (line 17): must be a bool expression; it is int',
    ]);
    const many = Array.from({ length: 17 }, (_, i) => `  - { name: t${i}, when: "context.amount > ${i}" }`).join('\n');
    expect(issues(doc(`${minimal}\ntiers:\n${many}`))).toEqual(['spec.tiers (line 9): must list at most 16']);
  });

  it('defaults quorum to 1 and flags to false, and takes grantDurationSeconds as given', () => {
    const [p] = parsePolicyDocuments(doc(minimal.replace('grantDuration: 30m', 'grantDurationSeconds: 7200')));
    expect(p).toMatchObject({ quorum: 1, allowSelfApproval: false, requireJustification: false, grantDurationSeconds: '7200', slackChannel: '' });
  });

  it('reads every document of a multi-document file', () => {
    const second = doc(minimal.replace('id: p1', 'id: p2').replace('payouts.change_details', 'keys.rotate'));
    const policies = parsePolicyDocuments(`${doc(minimal)}---\n${second}---\n`);
    expect(policies.map((p) => [p.id, p.action])).toEqual([
      ['p1', 'payouts.change_details'],
      ['p2', 'keys.rotate'],
    ]);
  });

  it('rejects an unknown key, naming its path and line and suggesting the right one', () => {
    expect(issues(doc(`${minimal}\nquorom: 2`))).toEqual([
      'spec.quorom (line 8): unknown key (did you mean quorum?); allowed: id, action, approvers, quorum, requirements, tiers, allowSelfApproval, allowBreakGlass, requireJustification, requireStepUpToAct, requireStepUpToApprove, extensionRequiresApproval, grantDuration, grantDurationSeconds, maxGrantDuration, slackChannel, sla, reminders, escalation, expireAfter, acknowledgements, approverEditable, parametersSchema, rerequestCooldown, maxRequestsPerDay',
    ]);
    expect(issues(`metadata: {name: x}\n${doc(minimal)}`)[0]).toMatch(/^metadata \(line 1\): unknown key; allowed: apiVersion, kind, spec$/);
  });

  it('rejects a bad duration with the accepted forms', () => {
    expect(issues(doc(minimal.replace('30m', '90x')))).toEqual([
      'spec.grantDuration (line 7): "90x" is not a duration; use e.g. 30m, 1h, 2h30m or a whole number of seconds',
    ]);
  });

  it('rejects a missing action and a missing grant duration, pointing at spec', () => {
    expect(issues(doc(minimal.replace('action: payouts.change_details\n', '').replace('grantDuration: 30m', 'quorum: 1')))).toEqual([
      'spec.grantDuration (line 3): is required: how long access lasts after approval, e.g. 1h (or grantDurationSeconds: 3600)',
      'spec.action (line 3): is required',
    ]);
  });

  it('reports every problem at once with YAML paths', () => {
    const bad = `apiVersion: assent.dev/v2
kind: Policy
spec:
  id: ""
  action: Payouts
  approvers: [bob, "user:bob", "user:bob"]
  quorum: 0
  allowSelfApproval: yes
  grantDuration: 1h
  grantDurationSeconds: 3600
`;
    expect(issues(bad)).toEqual([
      'apiVersion (line 1): must be "assent.dev/v1", got "assent.dev/v2"',
      'spec.id (line 4): "" must be 1-63 lowercase letters, digits or "-"',
      'spec.action (line 5): "Payouts" must be dotted lowercase words, e.g. payouts.change_details',
      'spec.approvers[0] (line 6): "bob" is not an approver like user:bob or group:finance#member',
      'spec.approvers[2] (line 6): "user:bob" is listed twice',
      'spec.quorum (line 7): must be a whole number from 1 to 100, got 0',
      'spec.allowSelfApproval (line 8): must be true or false, got "yes"',
      'spec.grantDurationSeconds (line 10): set either grantDuration or grantDurationSeconds, not both',
    ]);
  });

  it('rejects YAML syntax errors, wrong shapes and empty files', () => {
    expect(issues('spec: [\n')[0]).toMatch(/^\(yaml\) \(line \d\): /);
    expect(issues('just a string')).toEqual(['(document) (line 1): must be a mapping with apiVersion, kind and spec']);
    expect(issues('apiVersion: assent.dev/v1\nkind: Policy\n')).toEqual(['spec: is required']);
    expect(issues('apiVersion: assent.dev/v1\nkind: Policy\nspec: [1]\n')).toEqual(['spec (line 3): must be a mapping, got [1]']);
    expect(issues('# nothing here\n')).toEqual(['(file): contains no policy document']);
    expect(issues(`${doc(minimal)}\nkind: Policy\n`)[0]).toMatch(/unique/i);
  });
});

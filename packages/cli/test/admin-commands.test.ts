import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, ServerError, Status, type Server } from 'nice-grpc';
import { createDevIssuerKey, writeDevIssuerKey } from '@assent/platform';
import { auditv1, authzv1, deliveryv1 } from '@assent/proto';
import { runCli } from './run-cli.js';

// One in-test server hosting small fakes of the authz, audit and delivery services.
let server: Server;
let env: Record<string, string>;
let chainValid = true;
const sent: { method: string; request: unknown }[] = [];
const createdAt = new Date('2025-03-04T05:06:07.000Z');

beforeAll(async () => {
  server = createServer();
  server.add(authzv1.AuthzServiceDefinition, {
    async check() { return {}; },
    async checkApprover() { return {}; },
    async createTenant(req) {
      sent.push({ method: 'createTenant', request: req });
      return { tenant: { id: req.id, displayName: req.displayName, createdAt }, created: req.id !== 'acme' };
    },
    async addTenantMember(req) {
      sent.push({ method: 'addTenantMember', request: req });
      return {};
    },
    async addGroupMember(req) {
      sent.push({ method: 'addGroupMember', request: req });
      return {};
    },
    async removeGroupMember(req) {
      sent.push({ method: 'removeGroupMember', request: req });
      return {};
    },
    async listGroupMembers(req) {
      sent.push({ method: 'listGroupMembers', request: req });
      return req.pageToken ? { users: ['erin'], nextPageToken: '' } : { users: ['bob', 'carol'], nextPageToken: 'tok-2' };
    },
    async listUserGroups(req) {
      sent.push({ method: 'listUserGroups', request: req });
      return { groups: ['finance-leads', 'security'] };
    },
    async registerProtectedAction() { return {}; },
    async listProtectedActions() {
      return { protectedActions: [{ tenant: 'acme', action: 'payouts.change_details', policy: { id: 'payout-details-change', hash: 'a'.repeat(64) }, approvers: ['user:bob', 'user:carol'], updatedAt: createdAt, conditions: [{ name: 'large', when: 'context.amount > 10000' }], version: 3 }] };
    },
    async writeGrant() { return {}; },
    async removeGrant() { return { removed: false }; },
    // Answers with the sign-in the caller's token vouches for, as authz would accept it.
    async stepUp(req, ctx) {
      sent.push({ method: 'stepUp', request: req });
      const token = String(ctx.metadata.get('authorization') ?? '').replace(/^Bearer /, '');
      const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as { sub: string; auth_time?: number; acr?: string; amr?: string[] };
      if (!claims.auth_time) throw new ServerError(Status.UNAUTHENTICATED, 'insufficient_user_authentication: the token carries no auth_time');
      return { session: { principal: claims.sub, acr: claims.acr ?? '', amr: claims.amr ?? [], authTime: new Date(claims.auth_time * 1000), expiresAt: new Date(claims.auth_time * 1000 + 900_000) } };
    },
    async checkStepUp() { return { active: false, session: undefined, requirement: 'a sign-in within the last 300 s with acr mfa' }; },
    async batchCheck() { return { results: [] }; },
    async listApprovers(req) {
      sent.push({ method: 'listApprovers', request: req });
      return { users: ['bob', 'okta:erin'] };
    },
    async listAccess(req) {
      sent.push({ method: 'listAccess', request: req });
      return {
        member: true,
        grants: [{ action: 'payouts.change_details', resource: 'payout-account/42', condition: 'large', startsAt: createdAt, expiresAt: new Date(createdAt.getTime() + 3_600_000), requestId: '' }],
        requestableActions: ['payouts.change_details', 'refunds.issue'],
        approvableActions: ['refunds.issue'],
      };
    },
    async explain(req) {
      sent.push({ method: 'explain', request: req });
      return {
        decision: authzv1.Decision.DECISION_NEEDS_APPROVAL,
        reason: 'grant expired at 2025-03-04T06:06:07.000Z (it ran from 2025-03-04T05:06:07.000Z until 2025-03-04T06:06:07.000Z); OpenFGA stops counting it then',
        modelId: '01MODEL',
        policy: { id: 'payout-details-change', hash: 'a'.repeat(64) },
        facts: [
          { name: 'tenant_member', holds: true, detail: 'alice is a member of tenant acme' },
          { name: 'grant', holds: false, detail: 'grant expired at 2025-03-04T06:06:07.000Z' },
        ],
        grantStartsAt: createdAt,
        grantEndsAt: new Date(createdAt.getTime() + 3_600_000),
      };
    },
    async getModel() {
      return { modelId: '01MODELAPPLIED', dsl: 'model\n  schema 1.1\n', source: 'applied', appliedAt: createdAt, appliedBy: 'root' };
    },
    async applyModel(req) {
      sent.push({ method: 'applyModel', request: req });
      return req.dsl.includes('unchanged') ? { modelId: '01MODELAPPLIED', previousModelId: '01MODELAPPLIED', changed: false } : { modelId: '01MODELNEW', previousModelId: '01MODELAPPLIED', changed: true };
    },
    async simulateModel(req) {
      sent.push({ method: 'simulateModel', request: req });
      const change = { decisionId: '01DECISION', tenant: 'acme', principal: 'ann', action: 'payouts.change_details', resource: 'acct/1', decidedAt: createdAt };
      return {
        draftModelId: '01MODELDRAFT',
        replayed: 12,
        skipped: 1,
        changes: [{ ...change, recorded: authzv1.Decision.DECISION_NEEDS_APPROVAL, current: authzv1.Decision.DECISION_NEEDS_APPROVAL, draft: authzv1.Decision.DECISION_DENY }],
      };
    },
  } satisfies authzv1.AuthzServiceImplementation);
  server.add(auditv1.AuditServiceDefinition, {
    async listRecords() { return { records: [] }; },
    async queryRecords(req) {
      sent.push({ method: 'queryRecords', request: req });
      if (req.actor === 'nobody') return { records: [], since: req.since ?? createdAt, until: req.until ?? createdAt };
      const record = auditv1.AuditRecord.fromPartial({
        tenant: req.tenant,
        sequence: '7',
        occurredAt: createdAt,
        actor: 'bob',
        actorType: 'user',
        action: 'approval.vote',
        targetKind: 'request',
        targetId: 'r1',
        outcome: 'denied',
        category: 'security',
        reason: 'not an approver',
        format: 2,
      });
      return { records: [record], nextPageToken: 'tok-next', previousPageToken: req.pageToken ? 'tok-prev' : '', since: req.since ?? createdAt, until: req.until ?? createdAt };
    },
    async verifyChain() {
      return chainValid
        ? { valid: true, records: '12', headHash: 'c'.repeat(64), checkpoints: '2', checkpointedSequence: '10' }
        : { valid: false, records: '12', headHash: 'c'.repeat(64), firstInvalidSequence: '7', checkpoints: '2', firstInvalidCheckpoint: '2', checkpointedSequence: '4', problem: 'record 7 is not the one checkpoint 2 signed' };
    },
    async createCheckpoint(req) {
      sent.push({ method: 'createCheckpoint', request: req });
      return {
        created: true,
        checkpoint: { tenant: req.tenant, index: '3', sequence: '12', headHash: 'c'.repeat(64), time: createdAt, keyId: 'audit-2025', prevCheckpointHash: 'b'.repeat(64), signature: 'c2ln', hash: 'd'.repeat(64) },
      };
    },
    async listSigningKeys() {
      return {
        keys: [
          { keyId: 'audit-2025', publicJwk: '{"crv":"Ed25519","kid":"audit-2025","kty":"OKP","x":"AAA"}', current: true },
          { keyId: 'audit-2024', publicJwk: '{"crv":"Ed25519","kid":"audit-2024","kty":"OKP","x":"BBB"}', validUntil: createdAt, current: false },
        ],
      };
    },
    // Export jobs have their own fake (audit-export.test.ts).
    async createExport() { throw new ServerError(Status.UNIMPLEMENTED, 'not in this fake'); },
    async getExport() { throw new ServerError(Status.UNIMPLEMENTED, 'not in this fake'); },
    async listExports() { throw new ServerError(Status.UNIMPLEMENTED, 'not in this fake'); },
    // eslint-disable-next-line require-yield
    async *downloadExport() { throw new ServerError(Status.UNIMPLEMENTED, 'not in this fake'); },
  } satisfies auditv1.AuditServiceImplementation);
  server.add(deliveryv1.DeliveryServiceDefinition, {
    async createEndpoint(req) {
      sent.push({ method: 'createEndpoint', request: req });
      return { endpoint: { id: 'ep_1', tenant: req.tenant, url: req.url, description: req.description, eventTypes: req.eventTypes, secret: 'whsec_c2VjcmV0', createdAt } };
    },
    async listEndpoints() { return { endpoints: [] }; },
    async listAttempts() { return { attempts: [] }; },
    async createStreamCredential(req) {
      sent.push({ method: 'createStreamCredential', request: req });
      return {
        credential: { id: 'cr_1', tenant: req.tenant, consumer: req.consumer, publicKey: 'UKEY', createdAt, createdBy: 'alice', revokedAt: undefined },
        creds: '-----BEGIN NATS USER JWT-----\nJWT\n------END NATS USER JWT------\n',
        url: 'nats://gateway:4222',
        stream: 'EVENTS',
        subjects: `assent.evt.${req.tenant}.>`,
        apiPrefix: 'ASSENT.JS.API',
      };
    },
    async listStreamCredentials() { return { credentials: [] }; },
    async revokeStreamCredential(req) {
      sent.push({ method: 'revokeStreamCredential', request: req });
      return { credential: { id: req.id, tenant: req.tenant, consumer: 'siem', publicKey: 'UKEY', createdAt, createdBy: 'alice', revokedAt: createdAt } };
    },
  } satisfies deliveryv1.DeliveryServiceImplementation);
  const addr = `127.0.0.1:${await server.listen('127.0.0.1:0')}`;
  env = { ASSENT_TOKEN: 'tok', ASSENT_AUTHZ_ADDR: addr, ASSENT_AUDIT_ADDR: addr, ASSENT_DELIVERY_ADDR: addr };
});

afterAll(async () => {
  await server?.shutdown();
});

describe('tenant, authz, audit and webhook commands', () => {
  it('tenant create says whether it created the tenant', async () => {
    const created = await runCli(['tenant', 'create', 'globex', '--display-name', 'Globex'], { env });
    expect(created.code).toBe(0);
    expect(sent.at(-1)).toEqual({ method: 'createTenant', request: { id: 'globex', displayName: 'Globex' } });
    expect(created.stdout).toMatch(/^tenant globex created\nid: +globex\ndisplay name: +Globex\ncreated: +2025-03-04T05:06:07\.000Z\n$/);
    expect((await runCli(['tenant', 'create', 'acme'], { env })).stdout).toMatch(/^tenant acme already exists \(unchanged\)\n/);
  });

  it('group add-member, remove-member and members manage a tenant group', async () => {
    const added = await runCli(['--tenant', 'initech', 'group', 'add-member', 'finance-leads', 'bob'], { env });
    expect(added).toMatchObject({ code: 0, stdout: 'bob is a member of group finance-leads in tenant initech\n' });
    expect(sent.at(-1)).toEqual({ method: 'addGroupMember', request: { tenant: 'initech', group: 'finance-leads', user: 'bob' } });
    await runCli(['--tenant', 'initech', 'group', 'remove-member', 'finance-leads', 'bob'], { env });
    expect(sent.at(-1)).toEqual({ method: 'removeGroupMember', request: { tenant: 'initech', group: 'finance-leads', user: 'bob' } });
    const listed = await runCli(['--tenant', 'initech', 'group', 'members', 'finance-leads', '--limit', '2'], { env });
    expect(listed.stdout).toBe('bob\ncarol\n\nmore: --page-token tok-2\n');
    expect(sent.at(-1)).toEqual({ method: 'listGroupMembers', request: { tenant: 'initech', group: 'finance-leads', pageSize: 2, pageToken: '' } });
    const json = await runCli(['--tenant', 'initech', '-o', 'json', 'group', 'members', 'finance-leads', '--page-token', 'tok-2'], { env });
    expect(JSON.parse(json.stdout)).toEqual({ users: ['erin'] });
    const mine = await runCli(['--tenant', 'initech', 'group', 'of', 'erin'], { env });
    expect(mine.stdout).toBe('finance-leads\nsecurity\n');
    expect(sent.at(-1)).toEqual({ method: 'listUserGroups', request: { tenant: 'initech', user: 'erin' } });
  });

  it('tenant add-member adds the user to --tenant', async () => {
    const { code, stdout } = await runCli(['--tenant', 'initech', 'tenant', 'add-member', 'alice'], { env });
    expect(code).toBe(0);
    expect(sent.at(-1)).toEqual({ method: 'addTenantMember', request: { tenant: 'initech', user: 'alice' } });
    expect(stdout).toBe('alice is a member of tenant initech\n');
  });

  it('authz actions prints a table', async () => {
    const { code, stdout } = await runCli(['authz', 'actions'], { env });
    expect(code).toBe(0);
    expect(stdout).toBe(
      'ACTION                  POLICY                 APPROVERS             STEP-UP  PROTECTED WHEN                 VERSION  UPDATED\n' +
        'payouts.change_details  payout-details-change  user:bob, user:carol  -        large: context.amount > 10000  3        2025-03-04T05:06:07.000Z\n',
    );
  });

  it('authz approvers lists who may approve, one per line', async () => {
    const { code, stdout } = await runCli(['authz', 'approvers', '--action', 'payouts.change_details'], { env });
    expect(code).toBe(0);
    expect(sent.at(-1)).toEqual({ method: 'listApprovers', request: { tenant: 'acme', action: 'payouts.change_details' } });
    expect(stdout).toBe('bob\nokta:erin\n');
  });

  it('authz explain prints the decision, the deciding fact and every fact', async () => {
    const { code, stdout } = await runCli(['authz', 'explain', '--action', 'payouts.change_details', '--resource', 'acct/1', '--principal', 'alice'], { env });
    expect(code).toBe(0);
    expect(sent.at(-1)).toEqual({ method: 'explain', request: { tenant: 'acme', principal: 'alice', action: 'payouts.change_details', resource: 'acct/1' } });
    expect(stdout).toMatch(/^decision: +needs_approval$/m);
    expect(stdout).toMatch(/^because: +grant expired at 2025-03-04T06:06:07\.000Z/m);
    expect(stdout).toMatch(/^ +grant +no +grant expired at 2025-03-04T06:06:07\.000Z$/m);
  });

  it('authz explain sends the context from --context and --ctx, --ctx winning', async () => {
    const { code } = await runCli(['authz', 'explain', '--action', 'refunds.issue', '--resource', 'refund/1', '--context', '{"amount": 5, "currency": "EUR"}', '--ctx', 'amount=15000'], { env });
    expect(code).toBe(0);
    expect(sent.at(-1)).toEqual({ method: 'explain', request: { tenant: 'acme', principal: '', action: 'refunds.issue', resource: 'refund/1', context: { amount: 15000, currency: 'EUR' } } });
    const bad = await runCli(['authz', 'explain', '--action', 'refunds.issue', '--resource', 'refund/1', '--context', '[1]'], { env });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('must be a JSON object');
  });

  it('authz access lists what may be requested and approved, and the grants with their windows', async () => {
    const { code, stdout } = await runCli(['authz', 'access', '--principal', 'alice'], { env });
    expect(code).toBe(0);
    expect(sent.at(-1)).toEqual({ method: 'listAccess', request: { tenant: 'acme', principal: 'alice' } });
    expect(stdout).toMatch(/^may request: +payouts\.change_details, refunds\.issue$/m);
    expect(stdout).toMatch(/^may approve: +refunds\.issue$/m);
    expect(stdout).toMatch(/^ +payouts\.change_details +payout-account\/42 +large +\S+ +\S+$/m);
  });

  it('authz step-up sends a token that vouches for a second factor just now with --mfa, and is refused without', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'assent-cli-key-'));
    const keyFile = join(dir, 'dev-issuer.json');
    await writeDevIssuerKey(keyFile, await createDevIssuerKey('https://issuer.assent.test'));
    const asBob = { ...env, ASSENT_TOKEN: '', ASSENT_DEV_ISSUER_KEY_FILE: keyFile };
    try {
      const weak = await runCli(['--as', 'bob', 'authz', 'step-up'], { env: asBob });
      expect(weak.code).toBe(1);
      expect(weak.stderr).toContain('insufficient_user_authentication');
      const before = Math.floor(Date.now() / 1000);
      const ok = await runCli(['--as', 'bob', '--mfa', 'authz', 'step-up'], { env: asBob });
      expect(ok.code).toBe(0);
      expect(sent.at(-1)).toEqual({ method: 'stepUp', request: { tenant: 'acme' } });
      expect(ok.stdout).toMatch(/^principal: +bob$/m);
      expect(ok.stdout).toMatch(/^signed in: +\S+ \(acr mfa\) \(amr pwd, otp\)$/m);
      const at = Date.parse(/^signed in: +(\S+)/m.exec(ok.stdout)?.[1] ?? '') / 1000;
      expect(at).toBeGreaterThanOrEqual(before);
      const status = await runCli(['authz', 'step-up-status'], { env });
      expect(status.stdout).toBe('no step-up session; one needs a sign-in within the last 300 s with acr mfa\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('authz model get, apply and simulate: the current model, an apply that changes it or not, and the decisions a draft changes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'assentctl-model-'));
    try {
      const got = await runCli(['authz', 'model', 'get'], { env });
      expect(got.stdout).toMatch(/^model: +01MODELAPPLIED\nsource: +applied\napplied: +2025-03-04T05:06:07\.000Z\napplied by: +root\n$/);
      expect((await runCli(['authz', 'model', 'get', '--dsl'], { env })).stdout).toBe('model\n  schema 1.1\n');
      const file = join(dir, 'draft.fga');
      writeFileSync(file, 'model\n  schema 1.1\ntype user\n');
      const applied = await runCli(['authz', 'model', 'apply', '-f', file], { env });
      expect(applied).toMatchObject({ code: 0, stdout: 'model 01MODELNEW is current (it replaced 01MODELAPPLIED)\n' });
      expect(sent.at(-1)).toEqual({ method: 'applyModel', request: { dsl: 'model\n  schema 1.1\ntype user\n' } });
      writeFileSync(file, '# unchanged\n');
      expect((await runCli(['authz', 'model', 'apply', '-f', file], { env })).stdout).toBe('model 01MODELAPPLIED is current already (unchanged)\n');
      const simulated = await runCli(['authz', 'model', 'simulate', '-f', file, '--limit', '50'], { env });
      expect(simulated.code).toBe(0);
      expect(sent.at(-1)).toEqual({ method: 'simulateModel', request: { dsl: '# unchanged\n', limit: 50 } });
      expect(simulated.stdout).toMatch(/^DECISION +TENANT +PRINCIPAL +ACTION +RESOURCE +RECORDED +CURRENT +DRAFT$/m);
      expect(simulated.stdout).toMatch(/^01DECISION +acme +ann +payouts\.change_details +acct\/1 +needs_approval +needs_approval +deny$/m);
      expect(simulated.stdout).toMatch(/^1 of 12 replayed decisions would change under draft model 01MODELDRAFT; 1 skipped \(authz logs why\)$/m);
      const json = await runCli(['-o', 'json', 'authz', 'model', 'simulate', '-f', file], { env });
      expect(sent.at(-1)).toEqual({ method: 'simulateModel', request: { dsl: '# unchanged\n', limit: 0 } });
      expect(JSON.parse(json.stdout)).toMatchObject({ draftModelId: '01MODELDRAFT', replayed: 12, changes: [{ decisionId: '01DECISION', draft: 'DECISION_DENY' }] });
      const missing = await runCli(['authz', 'model', 'apply', '-f', join(dir, 'nope.fga')], { env });
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain('cannot read');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('audit list with filters queries the index (QueryRecords) and prints the commands for the next and previous pages', async () => {
    const first = await runCli(['audit', 'list', '--actor', 'bob', '--outcome', 'denied', '--since', '2025-03-01T00:00:00Z', '--until', '2025-03-05T00:00:00Z', '--limit', '1'], { env });
    expect(first.code).toBe(0);
    expect(sent.at(-1)).toEqual({
      method: 'queryRecords',
      request: expect.objectContaining({ tenant: 'acme', actor: 'bob', outcome: 'denied', action: '', category: '', since: new Date('2025-03-01T00:00:00Z'), until: new Date('2025-03-05T00:00:00Z'), pageSize: 1, pageToken: '' }),
    });
    expect(first.stdout).toMatch(/^SEQ +OCCURRED +ACTOR +ACTION +TARGET +OUTCOME +CATEGORY +REASON$/m);
    expect(first.stdout).toMatch(/^7 +2025-03-04T05:06:07.000Z +bob +approval.vote +request\/r1 +denied +security +not an approver$/m);
    expect(first.stdout).toContain('next page: assentctl audit list --actor bob --outcome denied --since 2025-03-01T00:00:00.000Z --until 2025-03-05T00:00:00.000Z --limit 1 --page-token tok-next');
    expect(first.stdout).not.toContain('previous page');
    const second = await runCli(['audit', 'list', '--actor', 'bob', '--page-token', 'tok-next'], { env });
    expect(second.stdout).toContain('previous page: assentctl audit list --actor bob --page-token tok-prev');
    const json = await runCli(['-o', 'json', 'audit', 'list', '--category', 'security'], { env });
    expect(JSON.parse(json.stdout)).toMatchObject({ records: [{ action: 'approval.vote', outcome: 'denied', format: 2 }], nextPageToken: 'tok-next' });
    expect((await runCli(['audit', 'list', '--actor', 'nobody'], { env })).stdout).toMatch(/^no audit records match between /);
  });

  it('audit list refuses --type or --subject together with query filters, and a time that is not RFC 3339', async () => {
    const mixed = await runCli(['audit', 'list', '--actor', 'bob', '--subject', 'request/r1'], { env });
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toMatch(/--type and --subject list the chain in order/);
    const badTime = await runCli(['audit', 'list', '--since', 'yesterday'], { env });
    expect(badTime.code).not.toBe(0);
    expect(badTime.stderr).toMatch(/"yesterday" is not a time; use RFC 3339/);
  });

  it('audit verify exits 0 for a valid chain and 1, naming the sequence, for a broken one', async () => {
    chainValid = true;
    const ok = await runCli(['audit', 'verify'], { env });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^valid: +yes$/m);
    chainValid = false;
    const broken = await runCli(['audit', 'verify'], { env });
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/^first invalid: +sequence 7$/m);
    expect(broken.stdout).toMatch(/^bad checkpoint: +2$/m);
    expect(broken.stdout).toMatch(/^problem: +record 7 is not the one checkpoint 2 signed$/m);
    expect(broken.stderr).toBe('error: the audit chain of tenant acme is broken at sequence 7\n');
    const json = await runCli(['-o', 'json', 'audit', 'verify'], { env });
    expect(json.code).toBe(1);
    // Canonical proto JSON leaves out default values, so valid: false is absent.
    expect(JSON.parse(json.stdout)).toEqual({
      records: '12',
      headHash: 'c'.repeat(64),
      firstInvalidSequence: '7',
      checkpoints: '2',
      firstInvalidCheckpoint: '2',
      checkpointedSequence: '4',
      problem: 'record 7 is not the one checkpoint 2 signed',
    });
    chainValid = true;
    expect((await runCli(['audit', 'verify'], { env })).stdout).toMatch(/^checkpoints: +2\nsigned through: +sequence 10$/m);
  });

  it('audit checkpoint signs the head of --tenant and prints the checkpoint; -o json gives it whole', async () => {
    const signed = await runCli(['--tenant', 'initech', 'audit', 'checkpoint'], { env });
    expect(signed.code).toBe(0);
    expect(sent.at(-1)).toEqual({ method: 'createCheckpoint', request: { tenant: 'initech' } });
    expect(signed.stdout).toMatch(/^checkpoint signed\nindex: +3\nsequence: +12\n/);
    expect(signed.stdout).toMatch(/^key id: +audit-2025$/m);
    const json = await runCli(['-o', 'json', 'audit', 'checkpoint'], { env });
    expect(JSON.parse(json.stdout)).toMatchObject({ created: true, checkpoint: { tenant: 'acme', index: '3', keyId: 'audit-2025', time: '2025-03-04T05:06:07.000Z' } });
  });

  it('audit keys lists the current and retired public keys', async () => {
    const listed = await runCli(['audit', 'keys'], { env });
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^KEY ID +CURRENT +FROM +UNTIL +PUBLIC JWK$/m);
    expect(listed.stdout).toMatch(/^audit-2025 +yes +- +- +\{"crv":"Ed25519","kid":"audit-2025"/m);
    expect(listed.stdout).toMatch(/^audit-2024 +no +- +2025-03-04T05:06:07\.000Z/m);
    const json = await runCli(['-o', 'json', 'audit', 'keys'], { env });
    expect(JSON.parse(json.stdout).keys.map((k: { keyId: string }) => k.keyId)).toEqual(['audit-2025', 'audit-2024']);
  });

  it('webhook create sends repeated --event-type and prints the secret once with a warning', async () => {
    const { code, stdout, stderr } = await runCli(
      ['webhook', 'create', '--url', 'https://hooks.example.com/assent', '--event-type', 'assent.approval.decided.v1', '--event-type', 'assent.grant.issued.v1'],
      { env },
    );
    expect(code).toBe(0);
    expect(sent.at(-1)).toEqual({
      method: 'createEndpoint',
      request: { tenant: 'acme', url: 'https://hooks.example.com/assent', description: '', eventTypes: ['assent.approval.decided.v1', 'assent.grant.issued.v1'] },
    });
    expect(stdout).toMatch(/^secret: +whsec_c2VjcmV0$/m);
    expect(stdout).toMatch(/^event types: +assent\.approval\.decided\.v1, assent\.grant\.issued\.v1$/m);
    expect(stderr).toMatch(/^warning: store the signing secret now; it is shown only this once/);
  });

  it('events credentials create writes the creds file 0600 and prints where; revoke names the credential', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'assentctl-creds-'));
    const out = join(dir, 'siem.creds');
    const created = await runCli(['events', 'credentials', 'create', '--consumer', 'siem', '--out', out], { env });
    expect(created.code).toBe(0);
    expect(sent.at(-1)).toEqual({ method: 'createStreamCredential', request: { tenant: 'acme', consumer: 'siem' } });
    expect(readFileSync(out, 'utf8')).toContain('BEGIN NATS USER JWT');
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(created.stdout).toMatch(/^url: +nats:\/\/gateway:4222$/m);
    expect(created.stdout).toMatch(/^subjects: +assent\.evt\.acme\.>$/m);
    expect(created.stdout).not.toContain('BEGIN NATS USER JWT');
    const revoked = await runCli(['events', 'credentials', 'revoke', 'cr_1'], { env });
    expect(revoked.code).toBe(0);
    expect(sent.at(-1)).toEqual({ method: 'revokeStreamCredential', request: { tenant: 'acme', id: 'cr_1' } });
    expect(revoked.stdout).toMatch(/^revoked cr_1 \(consumer siem\)/);
    rmSync(dir, { recursive: true, force: true });
  });
});

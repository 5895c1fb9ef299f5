import type { Command } from 'commander';
import { auditv1 } from '@assent/proto';
import type { Session } from '../session.js';
import { registerAuditListCommand } from './audit-list.js';
import { renderFields, renderTable } from '../output/table.js';
import { iso } from '../output/values.js';
import { UsageError } from '../errors/usage-error.js';
import { registerAuditExportCommands } from './audit-export.js';
import { verifyExportOffline } from '../audit/verify-export-offline.js';

export function registerAuditCommands(program: Command, session: Session): void {
  const audit = program.command('audit').description("read and verify the tenant's hash-chained, checkpoint-signed audit log");

  registerAuditListCommand(audit, session);

  audit
    .command('verify')
    .description(
      'recompute the hash chain and check every signed checkpoint against it; exits 1 when a record or checkpoint does not match. ' +
        'With --file, checks an NDJSON export offline, with no connection to Assent, and names the first bad line',
    )
    .option('--file <export.ndjson>', 'verify this downloaded export offline instead of the live chain')
    .option('--keys <keys.json>', 'with --file: the published public keys (`assentctl -o json audit keys`); without it the keys the export carries are used')
    .action(async (opts: { file?: string; keys?: string }, command: Command) => {
      const ctx = session.context(command);
      if (opts.file) return verifyExportOffline(ctx, opts.file, opts.keys);
      if (opts.keys) throw new UsageError('--keys goes with --file (the live chain is verified with the service\'s own keys)');
      const res = await ctx.call('audit', (c, o) => c.verifyChain({ tenant: ctx.tenant }, o));
      if (!res.valid) ctx.exitCode = 1;
      if (ctx.json) return ctx.printJson(auditv1.VerifyChainResponse.toJSON(res));
      ctx.print(renderFields([
        ['valid', res.valid ? 'yes' : 'NO'],
        ['records', res.records],
        ['head hash', res.headHash],
        ['checkpoints', res.checkpoints],
        ['signed through', res.checkpointedSequence !== '0' ? `sequence ${res.checkpointedSequence}` : ''],
        ['first invalid', res.valid || res.firstInvalidSequence === '0' ? '' : `sequence ${res.firstInvalidSequence}`],
        ['bad checkpoint', res.firstInvalidCheckpoint === '0' ? '' : res.firstInvalidCheckpoint],
        ['problem', res.problem],
      ]));
      if (!res.valid) {
        const where = res.firstInvalidSequence !== '0' ? `at sequence ${res.firstInvalidSequence}` : `at checkpoint ${res.firstInvalidCheckpoint}`;
        ctx.note(`error: the audit chain of tenant ${ctx.tenant} is broken ${where}`);
      }
    });

  audit
    .command('checkpoint')
    .description("sign the tenant's current head now (tenant admins and auditors); prints the newest checkpoint if it already covers the head")
    .action(async (_opts: unknown, command: Command) => {
      const ctx = session.context(command);
      const res = await ctx.call('audit', (c, o) => c.createCheckpoint({ tenant: ctx.tenant }, o));
      if (ctx.json) return ctx.printJson(auditv1.CreateCheckpointResponse.toJSON(res));
      const cp = res.checkpoint;
      ctx.print(`${res.created ? 'checkpoint signed' : 'the newest checkpoint already covers the head (unchanged)'}`);
      ctx.print(renderFields([
        ['index', cp?.index],
        ['sequence', cp?.sequence],
        ['head hash', cp?.headHash],
        ['time', iso(cp?.time)],
        ['key id', cp?.keyId],
        ['hash', cp?.hash],
        ['previous', cp?.prevCheckpointHash],
        ['signature', cp?.signature],
      ]));
    });

  audit
    .command('keys')
    .description('list the public keys that checkpoints are verified with (current and retired)')
    .action(async (_opts: unknown, command: Command) => {
      const ctx = session.context(command);
      const res = await ctx.call('audit', (c, o) => c.listSigningKeys({}, o));
      if (ctx.json) return ctx.printJson(auditv1.ListSigningKeysResponse.toJSON(res));
      ctx.print(res.keys.length
        ? renderTable(
            ['KEY ID', 'CURRENT', 'FROM', 'UNTIL', 'PUBLIC JWK'],
            res.keys.map((k) => [k.keyId, k.current ? 'yes' : 'no', iso(k.validFrom), iso(k.validUntil), k.publicJwk]),
          )
        : 'no signing keys');
    });

  registerAuditExportCommands(audit, session);
}

import { Command } from 'commander';
import type { Io } from './io.js';
import type { Session } from './session.js';
import { addGlobalOptions } from './global-options.js';
import { registerAuditCommands } from './commands/audit.js';
import { registerAuthzCommands } from './commands/authz.js';
import { registerContactsCommands } from './commands/contacts.js';
import { registerDelegationCommands } from './commands/delegation.js';
import { registerEventsCommands } from './commands/events.js';
import { registerGroupCommands } from './commands/group.js';
import { registerInboxCommands } from './commands/inbox.js';
import { registerNotificationsCommands } from './commands/notifications.js';
import { registerPolicyCommands } from './commands/policy.js';
import { registerRequestCommands } from './commands/request.js';
import { registerTenantCommands } from './commands/tenant.js';
import { registerTokenCommand } from './commands/token.js';
import { registerWebhookCommands } from './commands/webhook.js';

/**
 * The command tree. Built fresh per invocation because commander keeps parsed values
 * on the Command objects. Output settings and exitOverride are set before any
 * subcommand is added so every subcommand inherits them.
 */
export function buildProgram(io: Io, session: Session): Command {
  const program = new Command('assentctl')
    .description('Command-line client for Assent: policies, approval requests, authorization checks, audit log, webhooks and events.')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout(s),
      writeErr: (s) => io.stderr(s),
      getOutHelpWidth: () => 100,
      getErrHelpWidth: () => 100,
    })
    .configureHelp({ showGlobalOptions: true })
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      `
Exit codes: 0 ok, 1 the service refused or failed, 2 bad command line, 3 a service is unreachable.

Examples:
  assentctl --as root --roles platform-admin tenant create acme
  assentctl --as admin --roles admin policy apply -f packages/cli/examples/payouts-policy.yaml
  assentctl --as alice request create --action payouts.change_details --resource payout-account/42 --justification "new bank"
  assentctl --as bob request approve <id> --reason "verified by phone"
  assentctl --as bob delegation set --to erin --for 7d --reason "vacation"
  assentctl events watch --type 'assent.approval.*'`,
    );
  addGlobalOptions(program);
  registerTokenCommand(program, session);
  registerTenantCommands(program, session);
  registerGroupCommands(program, session);
  registerPolicyCommands(program, session);
  registerRequestCommands(program, session);
  registerInboxCommands(program, session);
  registerDelegationCommands(program, session);
  registerAuthzCommands(program, session);
  registerAuditCommands(program, session);
  registerWebhookCommands(program, session);
  registerNotificationsCommands(program, session);
  registerContactsCommands(program, session);
  registerEventsCommands(program, session, io.env);
  return program;
}

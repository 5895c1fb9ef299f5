import type { Command } from 'commander';
import type { Session } from '../session.js';

export function registerTokenCommand(program: Command, session: Session): void {
  program
    .command('token')
    .description('print the bearer token the CLI would send, e.g. for grpcurl -H "authorization: Bearer $(assentctl token --as alice)"')
    .action(async (_opts: unknown, command: Command) => {
      const ctx = session.context(command);
      const token = await (await ctx.tokenSource()).token();
      if (ctx.json) ctx.printJson({ token });
      else ctx.print(token);
    });
}

import type { Command } from 'commander';
import type { Io } from './io.js';
import { CliContext } from './cli-context.js';
import { resolveGlobals } from './global-options.js';

/** One invocation of assentctl: builds the context on first use and closes its channels at the end. */
export class Session {
  private ctx: CliContext | undefined;

  constructor(private readonly io: Io) {}

  /** The context for the running command; global options are read from its ancestors. */
  context(command: Command): CliContext {
    this.ctx ??= new CliContext(resolveGlobals(command.optsWithGlobals(), this.io.env), this.io);
    return this.ctx;
  }

  get exitCode(): number {
    return this.ctx?.exitCode ?? 0;
  }

  close(): void {
    this.ctx?.close();
  }
}

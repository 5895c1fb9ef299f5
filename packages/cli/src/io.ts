/**
 * Everything the CLI touches outside itself, injected so tests and the e2e suite
 * can run `assentctl` in-process and read what it printed.
 */
export interface Io {
  /** Receives complete output, newline included. */
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  env: Record<string, string | undefined>;
  /** Base for relative paths (--dev-key, -f); defaults to process.cwd(). */
  cwd?: string;
  /** Stops long-running commands (events watch) the way Ctrl-C does in a terminal. */
  signal?: AbortSignal;
}

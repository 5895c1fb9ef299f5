import { ConfigError } from './config.js';

/**
 * Process entry for a service: load config (exit 78 naming the bad variables),
 * start, and stop in order on SIGTERM/SIGINT.
 */
export async function runService<C>(name: string, load: () => C, start: (config: C) => Promise<{ stop(): Promise<void> }>): Promise<void> {
  let config: C;
  try {
    config = load();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${name}: ${err.message}\n`);
      process.exit(78);
    }
    throw err;
  }
  let running: { stop(): Promise<void> };
  try {
    running = await start(config);
  } catch (err) {
    process.stderr.write(`${name}: failed to start: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  }
  const stop = (signal: string) => {
    process.stderr.write(`${name}: ${signal} received, shutting down\n`);
    void running.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

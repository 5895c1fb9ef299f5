/** `make down`: asks the `make up` supervisor to stop what it started (and only that). */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

const pidFile = join(resolve(import.meta.dirname, '..'), '.assent', 'up.pid');
if (!existsSync(pidFile)) {
  process.stdout.write('make up is not running\n');
  process.exit(0);
}
const pid = Number(readFileSync(pidFile, 'utf8'));
try {
  process.kill(pid, 'SIGTERM');
} catch {
  rmSync(pidFile, { force: true });
  process.stdout.write('make up is not running (stale pid file removed)\n');
  process.exit(0);
}
// Services stop in parallel (each within 10 s, then SIGKILL), then what they used.
const deadline = Date.now() + 60_000;
while (Date.now() < deadline) {
  try {
    process.kill(pid, 0);
  } catch {
    process.stdout.write('stopped\n');
    process.exit(0);
  }
  await new Promise((r) => setTimeout(r, 200));
}
process.stderr.write(`make up (pid ${pid}) did not stop within 60 s\n`);
process.exit(1);

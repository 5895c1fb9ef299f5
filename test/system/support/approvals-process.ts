import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { createChannel, createClient } from 'nice-grpc';
import { HealthDefinition } from 'nice-grpc-server-health';

const repo = resolve(import.meta.dirname, '../../..');

/** approvals as its own process (as a pod runs it), so a test can SIGKILL it. */
export function spawnApprovals(env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'services/approvals/src/bin.ts'], { cwd: repo, env: { ...process.env, ...env }, stdio: 'ignore' });
}

/** Resolves once approvals on `port` answers SERVING to the gRPC health check (60 s at most). */
export async function waitServing(port: number): Promise<void> {
  const channel = createChannel(`127.0.0.1:${port}`);
  const health = createClient(HealthDefinition, channel);
  const deadline = Date.now() + 60_000;
  try {
    for (;;) {
      const ok = await health.check({ service: 'assent.approvals.v1.ApprovalsService' }).then((r) => r.status === 1, () => false);
      if (ok) return;
      if (Date.now() > deadline) throw new Error('approvals did not start');
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    channel.close();
  }
}

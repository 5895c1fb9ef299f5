import { createHash } from 'node:crypto';
import type { Latency } from './histogram.js';

/** Runs `call` from `concurrency` workers for `seconds`; each call's latency goes to `latency`. */
export async function closedLoop(
  opts: { concurrency: number; seconds: number },
  latency: Latency,
  call: () => Promise<void>,
  fail: (err: unknown) => void,
): Promise<number> {
  const started = process.hrtime.bigint();
  const deadline = Date.now() + opts.seconds * 1000;
  const worker = async () => {
    while (Date.now() < deadline) {
      const t0 = process.hrtime.bigint();
      try {
        await call();
        latency.record(t0);
      } catch (err) {
        fail(err);
      }
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/**
 * The OpenFGA question authz asks for "may <principal> do <action> on <resource> by a
 * grant": can_perform on the grant object, at the current time. The object naming
 * mirrors services/authz/src/adapters/openfga/relation-store.ts (`grantObj`); the
 * bench checks the first answer is `allowed`, so a drift shows as an error.
 */
export function openFgaGrantCheck(tenant: string, principal: string, action: string, resource: string) {
  const object = `grant:${tenant}/${createHash('sha256').update(`${action}\n${resource}`).digest('hex').slice(0, 40)}`;
  return { user: `user:${principal}`, relation: 'can_perform', object };
}

/** The bearer header for OpenFGA's preshared key, or none. */
const auth = (key: string | undefined): Record<string, string> => (key ? { authorization: `Bearer ${key}` } : {});

/** Store id by name, through OpenFGA's HTTP API (GET /stores, paged). */
export async function openFgaStoreId(apiUrl: string, name: string, key?: string): Promise<string> {
  let token = '';
  do {
    const res = await fetch(`${apiUrl}/stores?page_size=100${token ? `&continuation_token=${encodeURIComponent(token)}` : ''}`, { headers: auth(key) });
    if (!res.ok) throw new Error(`GET ${apiUrl}/stores: HTTP ${res.status}`);
    const page = (await res.json()) as { stores: { id: string; name: string }[]; continuation_token?: string };
    const store = page.stores.find((s) => s.name === name);
    if (store) return store.id;
    token = page.continuation_token ?? '';
  } while (token);
  throw new Error(`no OpenFGA store named "${name}" at ${apiUrl}`);
}

/** One HTTP Check (POST /stores/{id}/check); resolves with `allowed`. */
export async function openFgaCheck(
  apiUrl: string,
  storeId: string,
  tuple: { user: string; relation: string; object: string },
  consistency: string,
  key?: string,
): Promise<boolean> {
  const res = await fetch(`${apiUrl}/stores/${storeId}/check`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...auth(key) },
    body: JSON.stringify({ tuple_key: tuple, context: { current_time: new Date().toISOString() }, consistency }),
  });
  if (!res.ok) throw new Error(`OpenFGA check: HTTP ${res.status} ${await res.text()}`);
  return ((await res.json()) as { allowed?: boolean }).allowed === true;
}

/** One HTTP Read of tuples (POST /stores/{id}/read); resolves with how many came back. */
export async function openFgaRead(apiUrl: string, storeId: string, tuple: { user: string; relation: string; object: string }, key?: string): Promise<number> {
  const res = await fetch(`${apiUrl}/stores/${storeId}/read`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...auth(key) },
    body: JSON.stringify({ tuple_key: tuple, page_size: 1 }),
  });
  if (!res.ok) throw new Error(`OpenFGA read: HTTP ${res.status} ${await res.text()}`);
  return ((await res.json()) as { tuples?: unknown[] }).tuples?.length ?? 0;
}

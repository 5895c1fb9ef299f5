import { resolve } from 'node:path';
import { devTokenSource, readDevIssuerKey, staticToken, type DevIssuerKey, type TokenSource } from '@assent/platform';
import type { Globals } from './global-options.js';
import { UsageError } from './errors/usage-error.js';

const noCredentials = 'no credentials: pass --token or --as with a dev issuer key (run make up)';

/**
 * The bearer token source for this invocation: --token as given, otherwise a
 * short-lived token for --as minted with the local dev issuer key. The key is read
 * up front so a missing or corrupt file is a clear usage error, not a stack trace.
 */
export async function tokenSourceFor(globals: Globals, cwd: string): Promise<TokenSource> {
  if (globals.token) return staticToken(globals.token);
  if (!globals.as) throw new UsageError(noCredentials);
  const keyFile = resolve(cwd, globals.devKey);
  let key: DevIssuerKey;
  try {
    key = await readDevIssuerKey(keyFile);
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : `unreadable: ${(err as Error).message}`;
    throw new UsageError(noCredentials, [`dev issuer key ${keyFile} ${reason}`]);
  }
  if (!key?.privateJwk || !key.issuer) throw new UsageError(noCredentials, [`dev issuer key ${keyFile} is not a dev issuer key file`]);
  return devTokenSource(key, { subject: globals.as, tenant: globals.tenant, roles: globals.roles, ...(globals.mfa ? { signIn: { acr: 'mfa', amr: ['pwd', 'otp'] } } : {}) });
}

import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeOnExit } from './server-process.js';

export interface TestPki {
  dir: string;
  caCert: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** A second CA and a client certificate it signed: trusted by nobody here. */
  rogueClientCert: string;
  rogueClientKey: string;
}

/**
 * A throwaway certificate authority with a server certificate for 127.0.0.1 and
 * localhost and a client certificate, made with the installed `openssl` (P-256,
 * valid one day), as PEM files in a temp dir removed at exit.
 */
export function makeTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'assent-pki-'));
  removeOnExit(dir);
  const f = (name: string) => join(dir, name);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const key = (name: string) => ssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', f(name));
  const ca = (name: string, cn: string) => {
    key(`${name}.key`);
    ssl('req', '-x509', '-new', '-key', f(`${name}.key`), '-subj', `/CN=${cn}`, '-days', '1', '-out', f(`${name}.crt`));
  };
  const leaf = (name: string, signer: string, cn: string, ext: string) => {
    key(`${name}.key`);
    ssl('req', '-new', '-key', f(`${name}.key`), '-subj', `/CN=${cn}`, '-out', f(`${name}.csr`));
    writeFileSync(f(`${name}.ext`), ext);
    ssl('x509', '-req', '-in', f(`${name}.csr`), '-CA', f(`${signer}.crt`), '-CAkey', f(`${signer}.key`), '-CAcreateserial', '-days', '1', '-extfile', f(`${name}.ext`), '-out', f(`${name}.crt`));
  };
  ca('ca', 'Assent Test CA');
  ca('rogue-ca', 'Someone Else');
  leaf('server', 'ca', 'assent-test-server', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  leaf('client', 'ca', 'approvals', 'extendedKeyUsage=clientAuth\n');
  leaf('rogue-client', 'rogue-ca', 'mallory', 'extendedKeyUsage=clientAuth\n');
  return {
    dir,
    caCert: f('ca.crt'),
    serverCert: f('server.crt'),
    serverKey: f('server.key'),
    clientCert: f('client.crt'),
    clientKey: f('client.key'),
    rogueClientCert: f('rogue-client.crt'),
    rogueClientKey: f('rogue-client.key'),
  };
}

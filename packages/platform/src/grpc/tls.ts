import { readFileSync } from 'node:fs';
import { ChannelCredentials, ServerCredentials } from '@grpc/grpc-js';
import type { GrpcTlsFiles } from '../config.js';

const read = (file: string, what: string): Buffer => {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new Error(`gRPC TLS ${what} ${file}: ${(err as Error).message}`, { cause: err });
  }
};

/**
 * Server credentials: TLS with the given certificate and key, requiring client
 * certificates signed by `clientCaFile` when it is set (mTLS); plaintext when no
 * certificate is configured. A certificate without its key (or the reverse), or a
 * client CA without a server certificate, is a configuration error.
 * Files are read at start: a rotated certificate takes effect on restart.
 */
export function serverCredentials(tls: GrpcTlsFiles): ServerCredentials {
  if (!tls.certFile !== !tls.keyFile) throw new Error('gRPC TLS needs both ASSENT_GRPC_TLS_CERT_FILE and ASSENT_GRPC_TLS_KEY_FILE');
  if (!tls.certFile || !tls.keyFile) {
    if (tls.clientCaFile) throw new Error('ASSENT_GRPC_TLS_CLIENT_CA_FILE (mTLS) needs a server certificate (ASSENT_GRPC_TLS_CERT_FILE, _KEY_FILE)');
    return ServerCredentials.createInsecure();
  }
  const pair = { cert_chain: read(tls.certFile, 'certificate'), private_key: read(tls.keyFile, 'key') };
  return ServerCredentials.createSsl(tls.clientCaFile ? read(tls.clientCaFile, 'client CA') : null, [pair], tls.clientCaFile !== undefined);
}

/**
 * Credentials for calls to other services: TLS verified against `caFile`, presenting
 * the certificate and key as a client certificate when they are set (for servers
 * that require mTLS); plaintext without a CA.
 */
export function channelCredentials(tls: GrpcTlsFiles): ChannelCredentials | undefined {
  if (!tls.caFile) return undefined;
  const identity = tls.certFile && tls.keyFile ? { key: read(tls.keyFile, 'key'), cert: read(tls.certFile, 'certificate') } : undefined;
  return ChannelCredentials.createSsl(read(tls.caFile, 'CA'), identity?.key ?? null, identity?.cert ?? null);
}

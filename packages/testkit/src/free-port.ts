import getPort from 'get-port';

/** A port free on 127.0.0.1 now, for a server whose address others must know before it starts (e.g. an OIDC redirect URI). */
export const freePort = (): Promise<number> => getPort({ host: '127.0.0.1' });

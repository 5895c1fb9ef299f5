import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { CredentialsMethod, FgaApiNotFoundError, FgaApiValidationError, OpenFgaClient, type UserClientConfigurationParams } from '@openfga/sdk';
import { transformer } from '@openfga/syntax-transformer';
import { UnavailableError, canonicalJson } from '@assent/platform';
import { agreeOnId, type IdRegistry } from './id-registry.js';
import { assentModelDsl } from './model.js';
import { OpenFgaRelationStore } from './relation-store.js';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const gone = (err: unknown) => err instanceof FgaApiNotFoundError || err instanceof FgaApiValidationError;
const exists = async (read: () => Promise<unknown>): Promise<boolean> => {
  try {
    await read();
    return true;
  } catch (err) {
    if (gone(err)) return false;
    throw err;
  }
};

/**
 * Finds or creates the store and the model. Replicas starting at once against a
 * fresh OpenFGA agree through `registry` (a KV compare-and-set) on one store per
 * name and one model per model hash; a replica that lost the race deletes the
 * store it made. A losing replica's model cannot be deleted (OpenFGA models are
 * immutable) and stays unused, identical to the winner's. A configured store id
 * is used as given.
 */
export async function connectOpenFga(opts: {
  apiUrl: string;
  storeId?: string | undefined;
  storeName: string;
  registry: IdRegistry;
  /** OpenFGA's preshared key, sent as a bearer token on every call (OpenFGA --authn-method=preshared). */
  presharedKey?: string | undefined;
}): Promise<OpenFgaRelationStore> {
  const config = (extra: Partial<UserClientConfigurationParams> = {}): UserClientConfigurationParams => ({
    apiUrl: opts.apiUrl,
    ...(opts.presharedKey ? { credentials: { method: CredentialsMethod.ApiToken, config: { token: opts.presharedKey } } } : {}),
    ...extra,
  });
  try {
    const admin = new OpenFgaClient(config());
    const storeId = opts.storeId ?? (await agreeOnStore(admin, opts.registry, opts.storeName));
    const client = new OpenFgaClient(config({ storeId }));
    const modelId = await agreeOnModel(client, opts.registry, storeId);
    return new OpenFgaRelationStore(new OpenFgaClient(config({ storeId, authorizationModelId: modelId })), modelId, storeId);
  } catch (err) {
    throw new UnavailableError(`OpenFGA at ${opts.apiUrl} unavailable: ${(err as Error).message}`, { cause: err });
  }
}

async function agreeOnStore(admin: OpenFgaClient, registry: IdRegistry, name: string): Promise<string> {
  return agreeOnId(registry, `store.${sha256(name).slice(0, 40)}`, {
    valid: (id) => exists(() => admin.getStore({ storeId: id })),
    // A store of this name made before the registry knew it (an older version, or
    // a registry that was reset) is adopted rather than duplicated; the oldest wins.
    propose: async () => {
      const existing = await oldestStoreNamed(admin, name);
      return existing ? { id: existing, mine: false } : { id: (await admin.createStore({ name })).id, mine: true };
    },
    discard: async (id) => {
      await admin.deleteStore({ storeId: id });
    },
  });
}

async function oldestStoreNamed(admin: OpenFgaClient, name: string): Promise<string | undefined> {
  const ids: string[] = [];
  let token: string | undefined;
  do {
    const page = await admin.listStores({ pageSize: 100, ...(token ? { continuationToken: token } : {}) });
    ids.push(...page.stores.filter((s) => s.name === name).map((s) => s.id));
    token = page.continuation_token || undefined;
  } while (token);
  // Store ids are ULIDs: the smallest is the oldest.
  return ids.sort()[0];
}

async function agreeOnModel(client: OpenFgaClient, registry: IdRegistry, storeId: string): Promise<string> {
  const model = transformer.transformDSLToJSONObject(assentModelDsl);
  const canonical = (m: { schema_version?: string; type_definitions?: unknown; conditions?: unknown }) =>
    canonicalJson({ s: m.schema_version ?? '', t: m.type_definitions ?? [], c: m.conditions ?? {} });
  const wanted = canonical(model);
  return agreeOnId(registry, `model.${storeId}.${sha256(wanted).slice(0, 40)}`, {
    valid: (id) => exists(() => client.readAuthorizationModel({ authorizationModelId: id })),
    propose: async () => {
      const latest = (
        await client.readLatestAuthorizationModel().catch((err: unknown) => {
          if (gone(err)) return undefined;
          throw err;
        })
      )?.authorization_model;
      if (latest?.id && canonical(latest) === wanted) return { id: latest.id, mine: false };
      return { id: (await client.writeAuthorizationModel(model)).authorization_model_id, mine: true };
    },
    discard: async () => undefined,
  });
}

/** The preshared key from a mounted file (trailing newline ignored); a clear error when it is unreadable or empty. */
export function readPresharedKey(file: string | undefined): string | undefined {
  if (!file) return undefined;
  let key: string;
  try {
    key = readFileSync(file, 'utf8').trim();
  } catch (err) {
    throw new Error(`AUTHZ_OPENFGA_PRESHARED_KEY_FILE: cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
  if (!key) throw new Error(`AUTHZ_OPENFGA_PRESHARED_KEY_FILE: ${file} is empty`);
  return key;
}

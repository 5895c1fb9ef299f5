import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { CredentialsMethod, FgaApiNotFoundError, FgaApiValidationError, OpenFgaClient, type UserClientConfigurationParams } from '@openfga/sdk';
import { UnavailableError } from '@assent/platform';
import { parseModel, type ModelDefinition } from '../../domain/model-definition.js';
import { agreeOnId, type IdRegistry } from './id-registry.js';
import { assentModelDsl } from './model.js';
import { currentModelKey, decodePointer, encodePointer, type ModelPointer, type ModelRegistry } from './model-pointer.js';
import { OpenFgaHttpReads } from './decision-reads.js';
import { OpenFgaModels, modelExists, registerModel } from './openfga-models.js';
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

type Log = { info(fields: object, msg: string): void; warn(fields: object, msg: string): void };
const silent: Log = { info: () => undefined, warn: () => undefined };

export interface ConnectOpenFgaOptions {
  apiUrl: string;
  storeId?: string | undefined;
  storeName: string;
  registry: ModelRegistry;
  /** OpenFGA's preshared key, sent as a bearer token on every call (OpenFGA --authn-method=preshared). */
  presharedKey?: string | undefined;
  logger?: Log | undefined;
}

export interface OpenFgaConnection {
  /** Decides with the current model; `follow` switches it when the pointer moves. */
  store: OpenFgaRelationStore;
  /** Model versions and the current-model pointer (ApplyModel, SimulateModel, GetModel). */
  models: OpenFgaModels;
  /**
   * Keeps `store` on the current-model pointer: each time another model becomes
   * current (on any replica), `store` decides with it and `onSwitch` hears its id
   * (the decision cache drops its in-process answers there).
   */
  follow(onSwitch?: (modelId: string) => void): Promise<{ stop(): Promise<void> }>;
}

/**
 * Finds or creates the store and the model. Replicas starting at once against a
 * fresh OpenFGA agree through `registry` (a KV compare-and-set) on one store per
 * name and one model per model hash; a replica that lost the race deletes the
 * store it made. A losing replica's model cannot be deleted (OpenFGA models are
 * immutable) and stays unused, identical to the winner's. A configured store id
 * is used as given.
 *
 * Which model is current is the registry's current-model pointer
 * (model-pointer.ts), and this is its precedence at boot:
 * - no pointer (a fresh install, or a registry that was reset), or a pointer to a
 *   model OpenFGA no longer has: the built-in model (model.ts) becomes current;
 * - a pointer to a built-in model: kept if it is this release's built-in model,
 *   otherwise this release's built-in model replaces it (an upgrade brings its model);
 * - a pointer to an applied model (ApplyModel): kept, whatever this release's
 *   built-in model is; a warning is logged when they differ, since only a new
 *   apply (of the built-in model, or of one merging both) changes it.
 * The pointer moves by compare-and-set; a replica that loses re-reads it and takes
 * the winner's model.
 */
export async function connectOpenFgaModels(opts: ConnectOpenFgaOptions): Promise<OpenFgaConnection> {
  const log = opts.logger ?? silent;
  const config = (extra: Partial<UserClientConfigurationParams> = {}): UserClientConfigurationParams => ({
    apiUrl: opts.apiUrl,
    ...(opts.presharedKey ? { credentials: { method: CredentialsMethod.ApiToken, config: { token: opts.presharedKey } } } : {}),
    ...extra,
  });
  let storeId: string;
  let pointer: ModelPointer;
  let client: OpenFgaClient;
  const builtin = parseModel(assentModelDsl);
  try {
    const admin = new OpenFgaClient(config());
    storeId = opts.storeId ?? (await agreeOnStore(admin, opts.registry, opts.storeName));
    client = new OpenFgaClient(config({ storeId }));
    pointer = await agreeOnCurrentModel(client, opts.registry, storeId, builtin, log);
  } catch (err) {
    throw new UnavailableError(`OpenFGA at ${opts.apiUrl} unavailable: ${(err as Error).message}`, { cause: err });
  }
  const forModel = (modelId: string) => new OpenFgaClient(config({ storeId, authorizationModelId: modelId }));
  // One pool for the decision path's calls under any model (each call names its model).
  const reads = new OpenFgaHttpReads({ apiUrl: opts.apiUrl, storeId, presharedKey: opts.presharedKey });
  const store = new OpenFgaRelationStore(forModel(pointer.modelId), pointer.modelId, storeId, reads);
  const models = new OpenFgaModels(client, opts.registry, storeId, builtin.sha, (modelId) => new OpenFgaRelationStore(forModel(modelId), modelId, storeId, reads));
  return {
    store,
    models,
    follow: (onSwitch = () => undefined) =>
      opts.registry.watch(
        currentModelKey(storeId),
        (value) => {
          const next = value === undefined ? undefined : decodePointer(value);
          if (!next || next.modelId === store.modelId()) return;
          const previous = store.modelId();
          store.useModel(next.modelId);
          log.info({ modelId: next.modelId, previousModelId: previous, source: next.source, appliedBy: next.appliedBy }, 'authorization model switched');
          onSwitch(next.modelId);
        },
        (err) => log.warn({ err }, 'current-model watch failed; restarting it'),
      ),
  };
}

/** The store's relation facts under the current model (connectOpenFgaModels without following the pointer). */
export async function connectOpenFga(opts: ConnectOpenFgaOptions): Promise<OpenFgaRelationStore> {
  return (await connectOpenFgaModels(opts)).store;
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

/** The current model at boot, by the precedence in connectOpenFgaModels's comment. */
async function agreeOnCurrentModel(client: OpenFgaClient, registry: ModelRegistry, storeId: string, builtin: ModelDefinition, log: Log): Promise<ModelPointer> {
  const key = currentModelKey(storeId);
  for (let attempt = 0; attempt < 5; attempt++) {
    const entry = await registry.get(key);
    const pointer = entry && decodePointer(entry.value);
    if (pointer && (await modelExists(client, pointer.modelId))) {
      if (pointer.source === 'applied') {
        if (pointer.sha !== builtin.sha) {
          log.warn(
            { modelId: pointer.modelId, appliedBy: pointer.appliedBy, appliedAt: pointer.appliedAt, builtinChangedSinceApplied: pointer.builtinSha !== builtin.sha },
            "an applied authorization model is current and stays so; this release's built-in model differs and is not used (apply it, or a model merging both, to change that)",
          );
        }
        return pointer;
      }
      if (pointer.sha === builtin.sha) return pointer;
    } else if (entry) {
      log.warn({ key, pointer: pointer?.modelId }, 'the current-model pointer is unreadable or names a model OpenFGA does not have; the built-in model replaces it');
    }
    const modelId = await registerModel(client, registry, storeId, builtin);
    const next: ModelPointer = {
      modelId,
      sha: builtin.sha,
      dsl: builtin.dsl,
      source: 'builtin',
      builtinSha: builtin.sha,
      appliedAt: new Date(),
      appliedBy: 'authz',
      previousModelId: pointer?.modelId ?? '',
      eventId: '',
      announced: true,
    };
    if ((await registry.swap(key, encodePointer(next), entry?.revision ?? 0)) !== undefined) {
      if (pointer) log.info({ modelId, previousModelId: pointer.modelId }, "this release's built-in authorization model is current now");
      return next;
    }
    // Another replica moved the pointer first: read what it chose.
  }
  throw new Error(`no agreement on the current model of store ${storeId} after 5 attempts`);
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

import { FgaApiNotFoundError, FgaApiValidationError, type OpenFgaClient, type WriteAuthorizationModelRequest } from '@openfga/sdk';
import { InvalidArgumentError, UnavailableError } from '@assent/platform';
import { modelSha, type ModelDefinition } from '../../domain/model-definition.js';
import type { CurrentModel, ModelStore } from '../../domain/ports.js';
import { agreeOnId } from './id-registry.js';
import { currentModelKey, decodePointer, encodePointer, type ModelRegistry } from './model-pointer.js';
import type { OpenFgaRelationStore } from './relation-store.js';

const gone = (err: unknown) => err instanceof FgaApiNotFoundError || err instanceof FgaApiValidationError;

/** Whether OpenFGA has the model (a registry can outlive a store that was reset). */
export async function modelExists(client: OpenFgaClient, modelId: string): Promise<boolean> {
  try {
    await client.readAuthorizationModel({ authorizationModelId: modelId });
    return true;
  } catch (err) {
    if (gone(err)) return false;
    throw err;
  }
}

/**
 * The model's id in OpenFGA, one per model digest: the registered one while OpenFGA
 * has it, else the store's latest model if it is the same model, else a new model
 * version. Replicas writing the same model at once agree through the registry (a
 * losing replica's version stays unused: OpenFGA models cannot be deleted). The
 * built-in model at boot, applied models and simulated drafts all go through here,
 * so applying a draft that was simulated reuses the simulated version.
 */
export async function registerModel(client: OpenFgaClient, registry: ModelRegistry, storeId: string, model: ModelDefinition): Promise<string> {
  return agreeOnId(registry, `model.${storeId}.${model.sha.slice(0, 40)}`, {
    valid: (id) => modelExists(client, id),
    propose: async () => {
      const latest = (
        await client.readLatestAuthorizationModel().catch((err: unknown) => {
          if (gone(err)) return undefined;
          throw err;
        })
      )?.authorization_model;
      // The same digest as the definition's, over OpenFGA's copy.
      if (latest?.id && modelSha(latest) === model.sha) return { id: latest.id, mine: false };
      const written = await client.writeAuthorizationModel(model.json as unknown as WriteAuthorizationModelRequest);
      return { id: written.authorization_model_id, mine: true };
    },
    discard: async () => undefined,
  });
}

/**
 * The model's lifecycle on OpenFGA: models written as versions of the store (never
 * deleted, OpenFGA keeps them all), and the current-model pointer in the registry
 * that every replica follows (connect.ts).
 */
export class OpenFgaModels implements ModelStore {
  constructor(
    private readonly client: OpenFgaClient,
    private readonly registry: ModelRegistry,
    readonly storeId: string,
    /** The digest of this release's built-in model, recorded with each pointer written. */
    private readonly builtinSha: string,
    /** The store's facts as the given model decides them (sharing the current store's connections). */
    private readonly storeFor: (modelId: string) => OpenFgaRelationStore,
  ) {}

  async current(): Promise<{ model: CurrentModel; revision: number }> {
    const entry = await this.read(() => this.registry.get(currentModelKey(this.storeId)));
    const pointer = entry && decodePointer(entry.value);
    // Boot sets the pointer before anything is served; a missing one is a reset registry.
    if (!entry || !pointer) throw new UnavailableError('the current-model pointer is missing; restart authz to set it');
    return { model: pointer, revision: entry.revision };
  }

  async write(model: ModelDefinition): Promise<string> {
    try {
      return await registerModel(this.client, this.registry, this.storeId, model);
    } catch (err) {
      // The transformer accepted it but OpenFGA's own validation did not (e.g. a condition's CEL).
      if (err instanceof FgaApiValidationError) throw InvalidArgumentError.field('dsl', `OpenFGA refused the model: ${err.apiErrorMessage ?? err.message}`);
      throw new UnavailableError(`OpenFGA unavailable: ${(err as Error).message}`, { cause: err });
    }
  }

  async makeCurrent(next: CurrentModel, revision: number): Promise<number | undefined> {
    return this.read(() => this.registry.swap(currentModelKey(this.storeId), encodePointer({ ...next, builtinSha: this.builtinSha }), revision));
  }

  under(modelId: string): OpenFgaRelationStore {
    return this.storeFor(modelId);
  }

  private async read<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw new UnavailableError(`the model registry (NATS KV) is unavailable: ${(err as Error).message}`, { cause: err });
    }
  }
}

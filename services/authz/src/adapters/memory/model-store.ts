import { newUlid } from '@assent/platform';
import type { ModelDefinition } from '../../domain/model-definition.js';
import type { CurrentModel, ModelStore, RelationStore } from '../../domain/ports.js';

type Facts = Pick<RelationStore, 'isMember' | 'activeGrant'>;

/**
 * In-memory twin of the OpenFGA model store: models by digest (one id each, as the
 * registry keeps them), a current-model pointer with a revision, and the facts
 * under a model from `factsUnder` (a test decides what each model answers).
 */
export class MemoryModelStore implements ModelStore {
  private readonly ids = new Map<string, string>();
  readonly models = new Map<string, ModelDefinition>();
  private pointer: { model: CurrentModel; revision: number };

  constructor(
    builtin: ModelDefinition,
    private readonly factsUnder: (model: ModelDefinition) => Facts,
  ) {
    const modelId = this.register(builtin);
    this.pointer = {
      model: { modelId, sha: builtin.sha, dsl: builtin.dsl, source: 'builtin', appliedAt: undefined, appliedBy: 'authz', previousModelId: '', eventId: '', announced: true },
      revision: 1,
    };
  }

  async current(): Promise<{ model: CurrentModel; revision: number }> {
    return { model: { ...this.pointer.model }, revision: this.pointer.revision };
  }

  async write(model: ModelDefinition): Promise<string> {
    return this.register(model);
  }

  async makeCurrent(next: CurrentModel, revision: number): Promise<number | undefined> {
    if (revision !== this.pointer.revision) return undefined;
    this.pointer = { model: { ...next }, revision: revision + 1 };
    return this.pointer.revision;
  }

  under(modelId: string): Facts {
    const model = this.models.get(modelId);
    if (!model) throw new Error(`no model ${modelId}`);
    return this.factsUnder(model);
  }

  private register(model: ModelDefinition): string {
    let id = this.ids.get(model.sha);
    if (!id) {
      id = newUlid();
      this.ids.set(model.sha, id);
      this.models.set(id, model);
    }
    return id;
  }
}

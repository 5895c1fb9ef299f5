import { AlreadyExistsError, NotFoundError } from '@assent/platform/domain';
import type { EventGateway, StreamCredentialRepository } from '../../domain/ports.js';
import type { StreamCredential } from '../../domain/types.js';

/** In-memory twin of the KV stream-credential repository. */
export class MemoryStreamCredentialRepository implements StreamCredentialRepository {
  private readonly credentials = new Map<string, StreamCredential>();

  async create(c: StreamCredential): Promise<void> {
    const key = `${c.tenant}.${c.id}`;
    if (this.credentials.has(key)) throw new AlreadyExistsError(`stream credential "${c.id}" already exists`);
    this.credentials.set(key, structuredClone(c));
  }

  async get(tenant: string, id: string): Promise<StreamCredential | undefined> {
    const c = this.credentials.get(`${tenant}.${id}`);
    return c && structuredClone(c);
  }

  async list(tenant: string): Promise<StreamCredential[]> {
    return [...this.credentials.values()]
      .filter((c) => c.tenant === tenant)
      .sort((a, b) => a.id.localeCompare(b.id))
      .map((c) => structuredClone(c));
  }

  async update(c: StreamCredential): Promise<void> {
    const key = `${c.tenant}.${c.id}`;
    if (!this.credentials.has(key)) throw new NotFoundError('stream credential', c.id);
    this.credentials.set(key, structuredClone(c));
  }
}

/** In-memory twin of the event gateway: accounts, consumers, readers, revocations and forwarded events. */
export class MemoryEventGateway implements EventGateway {
  readonly url = 'nats://gateway.test:4222';
  readonly stream = 'EVENTS';
  readonly apiPrefix = 'ASSENT.JS.API';
  readonly consumers = new Map<string, Set<string>>();
  readonly readers = new Map<string, { tenant: string; revoked: boolean }>();
  readonly events = new Map<string, { subject: string; id: string }[]>();
  private next = 0;

  subjectsOf(tenant: string): string {
    return `assent.evt.${tenant}.>`;
  }

  async prepare(tenant: string, consumer: string): Promise<void> {
    const set = this.consumers.get(tenant) ?? new Set<string>();
    this.consumers.set(tenant, set.add(consumer));
    if (!this.events.has(tenant)) this.events.set(tenant, []);
  }

  async signReader(tenant: string, name: string): Promise<{ publicKey: string; creds: string }> {
    if (!this.consumers.has(tenant)) throw new Error(`no account for tenant ${tenant}`);
    const publicKey = `U${String(++this.next).padStart(55, '0')}`;
    this.readers.set(publicKey, { tenant, revoked: false });
    return { publicKey, creds: `creds of ${name}` };
  }

  async revoke(tenant: string, publicKey: string): Promise<void> {
    const reader = this.readers.get(publicKey);
    if (reader?.tenant === tenant) reader.revoked = true;
  }

  serves(tenant: string): boolean {
    return this.events.has(tenant);
  }

  async forward(event: { tenant: string; subject: string; id: string; payload: Uint8Array }): Promise<void> {
    const stream = this.events.get(event.tenant);
    if (stream && !stream.some((e) => e.id === event.id)) stream.push({ subject: event.subject, id: event.id });
  }
}

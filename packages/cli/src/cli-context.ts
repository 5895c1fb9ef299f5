import { cwd as processCwd } from 'node:process';
import type { Client, CallOptions } from 'nice-grpc';
import { createGrpcClient, openChannel, type Channel, type TokenSource } from '@assent/platform';
import { approvalsv1, auditv1, authzv1, deliveryv1, notifierv1 } from '@assent/proto';
import type { Io } from './io.js';
import type { Globals, ServiceName } from './global-options.js';
import { tokenSourceFor } from './credentials.js';
import { ServiceCallError } from './errors/service-call-error.js';

const definitions = {
  approvals: approvalsv1.ApprovalsServiceDefinition,
  authz: authzv1.AuthzServiceDefinition,
  audit: auditv1.AuditServiceDefinition,
  delivery: deliveryv1.DeliveryServiceDefinition,
  notifier: notifierv1.NotifierServiceDefinition,
} as const;

export type ServiceClient<S extends ServiceName> = Client<(typeof definitions)[S]>;

/** How long one call may take before the CLI gives up (a blackholed address would hang otherwise). */
export const callTimeoutMs = 30_000;

/** What a command needs: resolved globals, output, credentials and service clients. */
export class CliContext {
  /** Set by a command that completed but must report failure (e.g. a broken audit chain). */
  exitCode = 0;
  private readonly channels: Channel[] = [];
  private readonly clients = new Map<ServiceName, unknown>();
  private tokens: TokenSource | undefined;

  constructor(readonly globals: Globals, readonly io: Io) {}

  get tenant(): string {
    return this.globals.tenant;
  }

  get json(): boolean {
    return this.globals.output === 'json';
  }

  get cwd(): string {
    return this.io.cwd ?? processCwd();
  }

  print(text: string): void {
    this.io.stdout(`${text}\n`);
  }

  printJson(value: unknown): void {
    this.io.stdout(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** Notes for the human (warnings, progress) go to stderr so stdout stays pipeable. */
  note(text: string): void {
    this.io.stderr(`${text}\n`);
  }

  async tokenSource(): Promise<TokenSource> {
    this.tokens ??= await tokenSourceFor(this.globals, this.cwd);
    return this.tokens;
  }

  /** Calls one service; failures come back as ServiceCallError naming service and address. */
  async call<S extends ServiceName, T>(service: S, fn: (client: ServiceClient<S>, options: CallOptions) => Promise<T>): Promise<T> {
    const tokens = await this.tokenSource();
    const address = this.globals.addresses[service];
    let client = this.clients.get(service) as ServiceClient<S> | undefined;
    if (!client) {
      const channel = openChannel(address);
      this.channels.push(channel);
      client = createGrpcClient(definitions[service], channel, tokens) as ServiceClient<S>;
      this.clients.set(service, client);
    }
    try {
      return await fn(client, { signal: AbortSignal.timeout(callTimeoutMs) });
    } catch (err) {
      throw new ServiceCallError(service, address, err);
    }
  }

  close(): void {
    for (const c of this.channels.splice(0)) c.close();
  }
}

import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, PermissionDeniedError } from '@assent/platform';
import { Webhook } from 'standardwebhooks';
import { createEndpoint } from '../src/domain/commands/create-endpoint.js';
import { listEndpoints } from '../src/domain/commands/list-endpoints.js';
import { admin, member, memoryDeps, service } from './support/memory-deps.js';

const valid = { tenant: 'acme', url: 'https://hooks.example.com/assent', description: 'ops', eventTypes: ['assent.approval.decided.v1'] };

async function violationsOf(promise: Promise<unknown>): Promise<string[]> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(InvalidArgumentError);
  return (err as InvalidArgumentError).violations.map((v) => v.field);
}

describe('createEndpoint', () => {
  it('creates an endpoint with a ULID and a Standard Webhooks secret', async () => {
    const { deps } = memoryDeps();
    const e = await createEndpoint(deps, admin('acme'), valid);
    expect(e.id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(e.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(Buffer.from(e.secret.slice(6), 'base64')).toHaveLength(24);
    expect(() => new Webhook(e.secret)).not.toThrow();
    expect(e).toMatchObject({ tenant: 'acme', url: valid.url, description: 'ops', eventTypes: valid.eventTypes, disabled: false });
  });

  it.each([
    [{ tenant: 'Bad Tenant' }, ['tenant']],
    [{ url: '' }, ['url']],
    [{ url: 'not a url' }, ['url']],
    [{ url: 'ftp://hooks.example.com/' }, ['url']],
    [{ url: 'https://user:pass@hooks.example.com/' }, ['url']],
    [{ url: `https://hooks.example.com/${'a'.repeat(2100)}` }, ['url']],
    [{ description: 'x'.repeat(501) }, ['description']],
    [{ eventTypes: ['approval.decided'] }, ['event_types[0]']],
    [{ eventTypes: ['assent.approval.decided.v1', 'assent.Approval.decided.v1'] }, ['event_types[1]']],
    [{ eventTypes: ['assent.approval.decided.v1', 'assent.approval.decided.v1'] }, ['event_types[1]']],
  ])('rejects %j naming %j', async (patch, fields) => {
    const { deps, endpoints } = memoryDeps();
    expect(await violationsOf(createEndpoint(deps, admin('acme'), { ...valid, ...patch }))).toEqual(fields);
    expect(await endpoints.list('acme')).toEqual([]);
  });

  it('reports every bad field at once', async () => {
    const { deps } = memoryDeps();
    const fields = await violationsOf(createEndpoint(deps, admin('acme'), { tenant: '', url: 'gopher://x', description: 'x'.repeat(600), eventTypes: ['nope'] }));
    expect(fields).toEqual(['tenant', 'url', 'description', 'event_types[0]']);
  });

  it.each(['http://127.0.0.1:8080/', 'http://localhost/', 'http://[::ffff:127.0.0.1]/', 'http://169.254.169.254/', 'https://internal.example.com/'])(
    'rejects the non-public target %s on field url',
    async (url) => {
      const { deps } = memoryDeps();
      expect(await violationsOf(createEndpoint(deps, admin('acme'), { ...valid, url }))).toEqual(['url']);
    },
  );

  it('accepts private targets when explicitly allowed (local development)', async () => {
    const { deps } = memoryDeps({ allowPrivateTargets: true });
    await expect(createEndpoint(deps, admin('acme'), { ...valid, url: 'http://127.0.0.1:8080/' })).resolves.toMatchObject({ url: 'http://127.0.0.1:8080/' });
  });

  it('is for tenant admins and services only, in their own tenant', async () => {
    const { deps } = memoryDeps();
    await expect(createEndpoint(deps, member('acme'), valid)).rejects.toBeInstanceOf(PermissionDeniedError);
    await expect(createEndpoint(deps, admin('globex'), valid)).rejects.toBeInstanceOf(PermissionDeniedError);
    await expect(createEndpoint(deps, service, valid)).resolves.toMatchObject({ tenant: 'acme' });
  });
});

describe('listEndpoints', () => {
  it('lists the tenant endpoints without secrets, to its members only', async () => {
    const { deps } = memoryDeps();
    const created = await createEndpoint(deps, admin('acme'), valid);
    await createEndpoint(deps, admin('globex'), { ...valid, tenant: 'globex' });
    const listed = await listEndpoints(deps, member('acme'), { tenant: 'acme' });
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ id: created.id, url: valid.url });
    expect(listed[0]).not.toHaveProperty('secret');
    await expect(listEndpoints(deps, member('globex'), { tenant: 'acme' })).rejects.toBeInstanceOf(PermissionDeniedError);
  });
});

import { Option, type Command } from 'commander';
import type { Io } from './io.js';
import { UsageError } from './errors/usage-error.js';

export const serviceNames = ['approvals', 'authz', 'audit', 'delivery', 'notifier'] as const;
export type ServiceName = (typeof serviceNames)[number];
export type OutputFormat = 'table' | 'json';

/** Global options after flags, environment and defaults have been applied (in that order). */
export interface Globals {
  tenant: string;
  as: string | undefined;
  roles: string[];
  token: string | undefined;
  /** The --as token vouches for a multi-factor sign-in just now (for step-up). */
  mfa: boolean;
  devKey: string;
  output: OutputFormat;
  addresses: Record<ServiceName, string>;
}

interface Spec {
  /** commander's attribute name for the flag */
  key: string;
  flags: string;
  description: string;
  env: string;
  fallback?: string;
  choices?: string[];
}

const defaultPorts: Record<ServiceName, number> = { approvals: 50051, authz: 50052, audit: 50053, delivery: 50054, notifier: 50055 };

const specs: Spec[] = [
  { key: 'tenant', flags: '--tenant <id>', env: 'ASSENT_TENANT', fallback: 'acme', description: 'tenant to act in' },
  { key: 'as', flags: '--as <user>', env: 'ASSENT_AS', description: 'act as this subject with a token minted by the dev issuer key' },
  { key: 'roles', flags: '--roles <list>', env: 'ASSENT_ROLES', description: 'comma-separated roles for the --as token, e.g. platform-admin' },
  { key: 'token', flags: '--token <jwt>', env: 'ASSENT_TOKEN', description: 'bearer token to send (wins over --as)' },
  { key: 'devKey', flags: '--dev-key <file>', env: 'ASSENT_DEV_ISSUER_KEY_FILE', fallback: '.assent/dev-issuer.json', description: 'dev issuer key written by `make up`' },
  ...serviceNames.map((name) => ({
    key: name,
    flags: `--${name} <addr>`,
    env: `ASSENT_${name.toUpperCase()}_ADDR`,
    fallback: `127.0.0.1:${defaultPorts[name]}`,
    description: `${name} service gRPC address`,
  })),
  { key: 'output', flags: '-o, --output <format>', env: 'ASSENT_OUTPUT', fallback: 'table', choices: ['table', 'json'], description: 'output format' },
];

/**
 * Declares the global options. Environment fallbacks are resolved by us rather than
 * commander's Option.env(), which reads process.env: the CLI runs in-process in tests
 * with its own environment. Values are never shown as help defaults because
 * ASSENT_TOKEN would leak into `--help` output.
 */
export function addGlobalOptions(program: Command): void {
  for (const s of specs) {
    const hint = [`env: ${s.env}`, ...(s.fallback ? [`default: ${s.fallback}`] : [])].join(', ');
    const option = new Option(s.flags, `${s.description} (${hint})`);
    if (s.choices) option.choices(s.choices);
    program.addOption(option);
  }
  program.addOption(new Option('--mfa', 'the --as token says you just signed in with a second factor (acr mfa), as a step-up needs (env: ASSENT_MFA=1)'));
}

export function resolveGlobals(opts: Record<string, unknown>, env: Io['env']): Globals {
  const value = (key: string): string | undefined => {
    const s = specs.find((x) => x.key === key);
    if (!s) throw new Error(`no global option ${key}`);
    const flag = opts[key];
    if (typeof flag === 'string' && flag !== '') return flag;
    const fromEnv = env[s.env];
    if (fromEnv !== undefined && fromEnv !== '') {
      if (s.choices && !s.choices.includes(fromEnv)) {
        throw new UsageError(`${s.env}="${fromEnv}" is not one of ${s.choices.join(', ')}`);
      }
      return fromEnv;
    }
    return s.fallback;
  };
  const required = (key: string): string => value(key) as string;
  return {
    tenant: required('tenant'),
    as: value('as'),
    roles: (value('roles') ?? '').split(',').map((r) => r.trim()).filter(Boolean),
    token: value('token'),
    mfa: opts['mfa'] === true || env['ASSENT_MFA'] === '1',
    devKey: required('devKey'),
    output: required('output') as OutputFormat,
    addresses: Object.fromEntries(serviceNames.map((n) => [n, required(n)])) as Record<ServiceName, string>,
  };
}

// Transport-free entry for domain code: `import { NotFoundError } from '@assent/platform/domain'`.
export {
  AlreadyExistsError,
  ConflictError,
  DomainError,
  FailedPreconditionError,
  InvalidArgumentError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitedError,
  UnauthenticatedError,
  UnavailableError,
} from './errors.js';
export type { FieldViolation } from './errors.js';
export { Violations, patterns } from './validation.js';
export { assertTenantAccess, hasRole, MemoryTenantDirectory, requireTenantAdmin, requireTenantExists } from './auth/tenant-access.js';
export type { TenantDirectory } from './auth/tenant-access.js';
export type { ActingChannel, Principal } from './auth/principal.js';
export type { AssentEvent } from './nats/events.js';
export { canonicalJson } from './canonical-json.js';
export { LruCache } from './lru-cache.js';
export {
  checkConditions,
  compileCondition,
  conditionLimits,
  contextProblem,
  firstHolding,
  ConditionCompileError,
  ConditionEvaluationError,
} from './conditions.js';
export type { CompiledCondition, ConditionVariables, NamedCondition } from './conditions.js';

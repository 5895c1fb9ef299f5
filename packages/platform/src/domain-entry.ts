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
export { payloadHashOf, RECORD_FORMATS, recordHash } from './audit/record-hash.js';
export type { HashedRecord } from './audit/record-hash.js';
export { CHECKPOINT_TYPE, checkpointHash, signedBytes } from './audit/checkpoint-signing.js';
export type { Checkpoint, UnsignedCheckpoint } from './audit/checkpoint-signing.js';
export { VerificationKeys, isEd25519Jwk, jwkThumbprint } from './audit/verification-keys.js';
export type { Ed25519Jwk, PublicSigningKey, SignatureCheck } from './audit/verification-keys.js';
export { EXPORT_TYPE, exportLine, keyLine, parseExportLine } from './audit/export-format.js';
export type { ExportHeader, ExportLine, ExportedRecord } from './audit/export-format.js';
export { ExportVerifier } from './audit/export-verifier.js';
export type { ExportVerification } from './audit/export-verifier.js';
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

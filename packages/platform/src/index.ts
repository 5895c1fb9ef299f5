// Public surface of @assent/platform. Domain code imports only './errors' (transport-free).
export { ConfigError, commonConfig, commonEnvSpec, env, freeze, parseEnv } from './config.js';
export type { ClientTlsFiles, CommonConfig, Env, EnvSpec } from './config.js';
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
export { createLogger } from './logger.js';
export type { Logger } from './logger.js';
export { createMetrics } from './metrics.js';
export type { Metrics } from './metrics.js';
export { startHttpServer } from './http-server.js';
export type { HttpHandler, HttpServer } from './http-server.js';
export { Shutdown } from './shutdown.js';
export { startTelemetry, tracingEnabled } from './telemetry.js';
export { createRuntime } from './runtime.js';
export type { ServiceRuntime } from './runtime.js';
export type { ActingChannel, Principal } from './auth/principal.js';
export { ACTING_CHANNEL_HEADER, ACTING_CHANNELS, ACTING_FOR_HEADER, ACTING_TENANT_HEADER, actingForMetadata, actingPrincipal, parseActingFor } from './auth/acting-for.js';
export type { ActingFor } from './auth/acting-for.js';
export { assertTenantAccess, hasRole, MemoryTenantDirectory, requireTenantAdmin, requireTenantExists } from './auth/tenant-access.js';
export type { TenantDirectory } from './auth/tenant-access.js';
export { Violations, patterns } from './validation.js';
export { defaultServiceSubjects } from './auth/principal.js';
export { createJwtVerifier } from './auth/jwt-verifier.js';
export type { JwtVerifierOptions, TokenVerifier, TrustedIssuer } from './auth/jwt-verifier.js';
export { createDevIssuerKey, mintToken, publicJwks, readDevIssuerKey, serveJwks, writeDevIssuerKey } from './auth/dev-issuer.js';
export type { DevIssuerKey, TokenClaims } from './auth/dev-issuer.js';
export { devTokenSource, fileTokenSource, serviceTokenSource, staticToken } from './auth/token-source.js';
export type { TokenSource } from './auth/token-source.js';
export { createGrpcServer, serviceName } from './grpc/server.js';
export type { AuthContext, GrpcServer, ServiceCallers } from './grpc/server.js';
export { statusNameOf, toServerError } from './grpc/error-mapping.js';
export { createGrpcClient, openChannel } from './grpc/client.js';
export { fromClientError } from './grpc/client-errors.js';
export type { Channel } from './grpc/client.js';
export { connectNats, natsServers } from './nats/connect.js';
export type { Nats } from './nats/connect.js';
export { ensureEventStreams, ensureStream, setStreamReplicas, streamReplicas } from './nats/streams.js';
export { names, splitEventType } from './nats/subjects.js';
export type { Names } from './nats/subjects.js';
export { EventPublisher, encodeEvent, newEvent, parseEvent } from './nats/events.js';
export type { AssentEvent } from './nats/events.js';
export { PoisonMessageError, RetryLaterError, defaultBackoff, startConsumer } from './nats/consumer.js';
export type { ConsumerOptions, Deduper, RunningConsumer } from './nats/consumer.js';
export { DEFAULT_LEASE_TTL_MS, startLease } from './nats/lease.js';
export type { LeaseOptions, RunningLease } from './nats/lease.js';
export { StreamEntityStore, startOutboxRelay } from './nats/entity-store.js';
export type { Versioned } from './nats/entity-store.js';
export { MAX_TIMER_HORIZON_MS, TIMER_SHARDS, TimerIndex, startTimers, timerShard } from './nats/timers.js';
export type { RunningTimers, TimerOptions } from './nats/timers.js';
export { injectTrace, withConsumeSpan } from './nats/tracing.js';
export { createRedis, redisDeduper, redisKeys } from './redis.js';
export type { Redis } from './redis.js';
export { runService } from './run-service.js';
export { canonicalJson } from './canonical-json.js';
export { openKvBucket } from './nats/kv-bucket.js';
export { KvMirror } from './nats/kv-mirror.js';
export { RevisionFeed } from './nats/revision-feed.js';
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
export { monotonicUlids, newUlid, pooledPrng } from './ids.js';
export { openTenantDirectory } from './nats/tenant-directory.js';
export { redisAclLines, redisKeyPatterns, redisServiceUsers } from './redis-acl.js';
export type { RedisServiceUser } from './redis-acl.js';
export { channelCredentials, serverCredentials } from './grpc/tls.js';
export type { GrpcTlsFiles } from './config.js';
export { eventConsumerNames, eventConsumers, natsAuthorizationConfig, natsServicePermissions, natsServiceUsers, streamsOf } from './nats-permissions.js';
export type { NatsPermissions, NatsServiceUser } from './nats-permissions.js';
export { defaultRateLimits, limitsFor, rateLimitsSchema } from './rate-limit/limits.js';
export type { ClassLimits, Rate, RateClass, RateLimits } from './rate-limit/limits.js';
export { LocalBuckets, MemoryRateLimiter } from './rate-limit/rate-limiter.js';
export type { Admission, BucketRequest, RateLimiter } from './rate-limit/rate-limiter.js';
export { RedisRateLimiter, leaseSize } from './rate-limit/redis-rate-limiter.js';
export { rateClassOf, rateLimitAdmission } from './rate-limit/admission.js';
export {
  GATEWAY_STREAM,
  READER_API_PREFIX,
  accountPublicKey,
  createGatewayOperator,
  defaultTenantAccountLimits,
  gatewayFiles,
  gatewayServerConfig,
  issueUser,
  newAccountSeed,
  readerAccountJwt,
  tenantAccountJwt,
  tenantBridgePermissions,
  tenantReaderPermissions,
} from './event-gateway.js';
export type { GatewayOperator, GatewayServerOptions, TenantAccountLimits, UserPermissions } from './event-gateway.js';

/**
 * Test helpers of `@sportello/platform`, imported as `@sportello/platform/testing`. Never used by
 * production code.
 */
export {
  createTestIssuer,
  BAD_TOKEN_KINDS,
  type BadTokenKind,
  type SignOptions,
  type TestIssuer,
} from './auth/test-issuer.js';
export {
  createTestDatabase,
  DATABASE_DRIVERS,
  LOCAL_POSTGRES_URL,
  type TestDatabase,
  type TestDatabaseOptions,
} from './database/test-database.js';
export { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './observability/otlp-receiver.js';
export { metricSample, metricTotal } from './observability/metric-sample.js';
export {
  startPrivateNatsServer,
  whenServerAccepts,
  type PrivateNatsServer,
} from './bus/test-support/nats-server.js';

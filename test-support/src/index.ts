/**
 * What the tests and benchmarks of every workspace share, imported as `@sportello/test-support`:
 * protocol-faithful peers on loopback (an SMTP sink, a Telegram Bot API and an App IO services API
 * that enforce the providers' rules, so a client that breaks them fails its tests), the test token
 * issuer, throw-away databases, a private NATS server, an OTLP receiver, Prometheus sample readers
 * and the CAP 1.2 schema check. A private workspace: no production package depends on it, and no
 * `dist` of one contains it (`test/build-output.e2e.ts`).
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
export { scratchServiceDatabase, type ScratchServiceDatabase } from './database/service-database.js';
export { postGraphQL, type GraphQLAnswer, type GraphQLRequestOptions } from './http/graphql-request.js';
export { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './observability/otlp-receiver.js';
export { metricSample, metricTotal } from './observability/metric-sample.js';
export { startPrivateNatsServer, type PrivateNatsServer } from './bus/nats-server.js';
export {
  startSmtpSink,
  type SmtpSink,
  type SmtpSinkOptions,
  type SmtpRejection,
  type ReceivedMail,
} from './peers/smtp-sink.js';
export {
  startFakeTelegram,
  type FakeTelegram,
  type FakeTelegramOptions,
  type TelegramSentMessage,
} from './peers/fake-telegram.js';
export { parseMarkdownV2, type MarkdownV2Parse } from './peers/markdown-v2-parser.js';
export {
  startFakeIo,
  type FakeIo,
  type FakeIoMessage,
  type FakeIoOptions,
  type FakeIoOutage,
  type FakeIoProfile,
  type IoOperation,
} from './peers/fake-io.js';
export {
  startNotificationPeers,
  type NotificationPeers,
  type NotificationPeersOptions,
} from './peers/notification-peers.js';
export { capSchemaErrors } from './cap/cap-schema.js';
export {
  serviceTestCoreConfig,
  startServiceTestKit,
  TEST_PUBLIC_URL,
  type ServiceTestCoreOptions,
  type ServiceTestKit,
  type ServiceTestKitOptions,
} from './service/service-test-kit.js';
export { scannedPdf } from './documents/scanned-pdf.js';
export { TestBrowser, hiddenFields } from './http/sign-in-browser.js';
export { clientCredentialsToken } from './http/oauth-client.js';
export { bulkyWasteDraft, landOccupationDraft, type PracticeDraftInput } from './practices/draft-inputs.js';

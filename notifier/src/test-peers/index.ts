/**
 * Protocol-faithful servers on loopback for tests: an SMTP sink, a Telegram Bot API and an App IO
 * services API that enforce the providers' rules, so a client that breaks them fails its tests.
 * Published as `@sportello/notifier/test-peers`; never used in production code.
 */
export {
  startSmtpSink,
  type SmtpSink,
  type SmtpSinkOptions,
  type SmtpRejection,
  type ReceivedMail,
} from './smtp-sink.js';
export {
  startFakeTelegram,
  type FakeTelegram,
  type FakeTelegramOptions,
  type TelegramSentMessage,
} from './fake-telegram.js';
export { parseMarkdownV2, type MarkdownV2Parse } from './markdown-v2-parser.js';
export {
  startFakeIo,
  type FakeIo,
  type FakeIoMessage,
  type FakeIoOptions,
  type FakeIoOutage,
  type FakeIoProfile,
  type IoOperation,
} from './fake-io.js';

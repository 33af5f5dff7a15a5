import { startFakeIo, type FakeIo, type FakeIoOptions } from './fake-io.js';
import { startFakeTelegram, type FakeTelegram, type FakeTelegramOptions } from './fake-telegram.js';
import { startSmtpSink, type SmtpSink, type SmtpSinkOptions } from './smtp-sink.js';

/** The three providers the notifier sends to: an SMTP server, the Telegram Bot API and App IO. */
export interface NotificationPeers {
  smtp: SmtpSink;
  telegram: FakeTelegram;
  io: FakeIo;
  /** Stops all three. */
  close(): Promise<void>;
}

/** Options of {@link startNotificationPeers}, one set per peer. */
export interface NotificationPeersOptions {
  smtp?: SmtpSinkOptions;
  telegram: FakeTelegramOptions;
  io: FakeIoOptions;
}

/** Starts the SMTP sink, the fake Bot API and the fake App IO side by side. */
export async function startNotificationPeers(options: NotificationPeersOptions): Promise<NotificationPeers> {
  const [smtp, telegram, io] = await Promise.all([
    startSmtpSink(options.smtp),
    startFakeTelegram(options.telegram),
    startFakeIo(options.io),
  ]);
  return {
    smtp,
    telegram,
    io,
    async close() {
      await Promise.all([smtp.close(), telegram.close(), io.close()]);
    },
  };
}

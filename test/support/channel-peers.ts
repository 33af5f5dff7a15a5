import type { DemoPerson } from '@sportello/hub';
import {
  startNotificationPeers,
  type FakeIo,
  type FakeTelegram,
  type SmtpSink,
} from '@sportello/test-support';

/** Telegram chats the demo links for citizens who use the bot, by position in the population. */
export const chatIdOf = (index: number): string => String(700_000_000 + index);

/** Some IO users turned the comune off in the app: IO refuses their messages. */
export const ioAllows = (index: number): boolean => index % 5 !== 4;

/** The providers the notifier sends to (SMTP, Telegram Bot API, App IO), as the project's own peers. */
export interface ChannelPeers {
  sink: SmtpSink;
  telegram: FakeTelegram;
  io: FakeIo;
  /** The hub's environment that sends its notifications to these peers. */
  env: Record<string, string>;
  close(): Promise<void>;
}

/** Options of {@link startChannelPeers}. */
export interface ChannelPeersOptions {
  botToken: string;
  ioKey: string;
  /** The secret the Bot API sends with its webhook calls. */
  webhookSecret: string;
  /** The public channel the hub posts to. @default none */
  publicChannel?: string;
  /** Whether IO lets the comune write to the citizen at `index` of the population. @default {@link ioAllows} */
  ioAllowsSender?: (index: number) => boolean;
}

/**
 * Starts the SMTP sink, the Bot API and App IO for a hub of `people`: IO knows the citizens on IO
 * before the hub's first messages go out, and the Bot API the demo's linked chats ({@link chatIdOf}).
 */
export async function startChannelPeers(
  people: readonly DemoPerson[],
  options: ChannelPeersOptions,
): Promise<ChannelPeers> {
  const allows = options.ioAllowsSender ?? ioAllows;
  const profiles = Object.fromEntries(
    people.flatMap((person, index) =>
      person.io ? [[person.fiscalCode, { senderAllowed: allows(index) }] as const] : [],
    ),
  );
  const peers = await startNotificationPeers({
    telegram: { token: options.botToken },
    io: { keys: [options.ioKey], profiles },
  });
  const { smtp: sink, telegram, io } = peers;
  return {
    sink,
    telegram,
    io,
    env: {
      SMTP_HOST: sink.host,
      SMTP_PORT: String(sink.port),
      TELEGRAM_BOT_TOKEN: options.botToken,
      TELEGRAM_API_ROOT: telegram.apiRoot,
      TELEGRAM_WEBHOOK_SECRET: options.webhookSecret,
      ...(options.publicChannel === undefined ? {} : { TELEGRAM_PUBLIC_CHANNEL: options.publicChannel }),
      // The fake Bot API knows the demo's linked chats: seed them, as the sandbox would.
      DEMO_TELEGRAM_CHATS: 'true',
      IO_API_URL: io.baseUrl,
      IO_API_KEY: options.ioKey,
    },
    close: peers.close,
  };
}

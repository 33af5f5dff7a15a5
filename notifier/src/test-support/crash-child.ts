/**
 * The notifier as a real process for the crash test: SQLite file, NATS JetStream bus, channels to
 * the parent's loopback peers. Prints `ready` once it consumes and dispatches. The parent kills it
 * with SIGKILL in the middle of a fan-out and starts it again.
 */
import { createLogger, createNatsBus } from '@sportello/platform';
import { loadNotifierConfig } from '../config.js';
import { createNotifier } from '../notifier.js';
import { testConfig } from './test-config.js';

interface ChildConfig {
  sqlitePath: string;
  identityUrl: string;
  anagrafeUrl: string;
  nats: string;
  stream: string;
  root: string;
  consumer: string;
  smtp: { host: string; port: number };
  telegramApiRoot: string;
  telegramToken: string;
  sandboxDir: string;
  /** Deliveries and events the way a deployment has them (lease, ack wait...), not sped up. */
  defaults?: boolean;
  /** SMTP messages per second. @default 200 */
  smtpRatePerSecond?: number;
}

const config = JSON.parse(process.argv[2] ?? '{}') as ChildConfig;
const logger = createLogger({ name: 'notifier-crash-child', level: 'warn' });
/** What a deployment that sets nothing runs with. */
const deployed = loadNotifierConfig({});
const bus = await createNatsBus({
  servers: config.nats,
  stream: config.stream,
  subjectRoot: config.root,
  logger,
});
const notifier = await createNotifier(
  testConfig({
    database: { driver: 'sqlite', url: config.sqlitePath },
    identityUrl: config.identityUrl,
    anagrafeUrl: config.anagrafeUrl,
    consumerName: config.consumer,
    bus: { kind: 'nats', natsServers: [config.nats], subjectRoot: config.root },
    smtp: {
      host: config.smtp.host,
      port: config.smtp.port,
      secure: false,
      ignoreTls: true,
      from: 'avvisi@comune.example.it',
      ratePerSecond: config.smtpRatePerSecond ?? 200,
    },
    telegram: {
      token: config.telegramToken,
      apiRoot: config.telegramApiRoot,
      webhookSecret: 'crash-test-secret',
      // Neither webhook nor polling matters here; the bot is not under test.
      webhookUrl: 'http://127.0.0.1:9/telegram/webhook',
      publicChannel: null,
      ratePerSecond: 100,
      ratePerChatPerSecond: 1,
    },
    sandboxDir: config.sandboxDir,
    ...(config.defaults
      ? { dispatch: deployed.dispatch, consumer: deployed.consumer }
      : {
          dispatch: {
            batchSize: 20,
            concurrency: 8,
            leaseMs: 2000,
            maxAttempts: 10,
            retryBaseMs: 50,
            retryMaxMs: 500,
            pollIntervalMs: 100,
            recoverIntervalMs: 500,
          },
        }),
  }),
  { bus, logger, jwks: { keys: [] } },
);
await notifier.start();
process.stdout.write('ready\n');
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    void notifier
      .close()
      .then(() => bus.close())
      .finally(() => process.exit(0));
  });
}

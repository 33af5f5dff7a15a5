/**
 * Notifier figures: how long planning a 100,000-recipient alert takes (the planner's bulk insert,
 * SQLite and PostgreSQL), how fast the email channel sends compared with plain nodemailer to the
 * same SMTP server, and how close the Telegram channel's limiter keeps to the Bot API's limits.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import nodemailer from 'nodemailer';
import pg from 'pg';
import {
  createEmailChannel,
  createNotifier,
  createTelegramChannel,
  createTelegramPacer,
  loadNotifierConfig,
  type OutgoingMessage,
} from '@sportello/notifier';
import { startFakeTelegram } from '@sportello/test-support';
import { planSyntheticAudience } from '@sportello/test-support/notifier';
import { createInProcessBus, createLogger } from '@sportello/platform';
import { round } from './figures.js';
import { cell, type SectionResult } from './report.js';

/** Knobs of the notifier benchmark. */
export interface NotifierBenchOptions {
  /** Recipients of the planned alert (one delivery each). @default 100000 */
  recipients?: number;
  /** Also plan on PostgreSQL (127.0.0.1:5432). @default true */
  postgres?: boolean;
  /** Mails per email run. @default 1500 */
  mails?: number;
  /** Mails of the one-at-a-time plain nodemailer loop (a new connection each: slow). @default 200 */
  loopMails?: number;
  /** Sends in flight for the email channel (the dispatcher's default concurrency). @default 16 */
  emailConcurrency?: number;
  /** Telegram messages to distinct chats. @default 300 */
  telegramMessages?: number;
  log?: (line: string) => void;
}

const POSTGRES_SERVER = 'postgres://postgres@127.0.0.1:5432';

/** Time to plan `recipients` deliveries on a fresh, migrated notifier database. */
async function planning(
  driver: 'sqlite' | 'postgresql',
  recipients: number,
): Promise<{ driver: string; recipients: number; elapsedMs: number; perSecond: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'sportello-bench-notifier-'));
  const database = `sportello_bench_notifier_${randomBytes(4).toString('hex')}`;
  const bus = createInProcessBus();
  const notifier = await createNotifier(
    loadNotifierConfig({
      LOG_LEVEL: 'silent',
      DATABASE_DRIVER: driver,
      DATABASE_URL: driver === 'sqlite' ? join(dir, 'notifier.db') : `${POSTGRES_SERVER}/${database}`,
      SANDBOX_DIR: join(dir, 'sandbox'),
    }),
    { bus, logger: createLogger({ name: 'bench', level: 'silent' }) },
  );
  try {
    const planned = await planSyntheticAudience(notifier.database, {
      deliveries: recipients,
      channels: ['email'],
    });
    return {
      driver,
      recipients: planned.planned,
      elapsedMs: Math.round(planned.elapsedMs),
      perSecond: Math.round(planned.planned / (planned.elapsedMs / 1000)),
    };
  } finally {
    await notifier.close();
    await bus.close();
    await rm(dir, { recursive: true, force: true });
    if (driver === 'postgresql') {
      const client = new pg.Client({ connectionString: `${POSTGRES_SERVER}/postgres` });
      await client.connect();
      await client.query(`drop database if exists ${database} with (force)`);
      await client.end();
    }
  }
}

/** The SMTP sink in a worker thread. */
async function startSinkWorker(): Promise<{
  port: number;
  count(): Promise<number>;
  close(): Promise<void>;
}> {
  const worker = new Worker(new URL('./processes/smtp-sink.js', import.meta.url));
  const { port } = await new Promise<{ port: number }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return {
    port,
    count: () =>
      new Promise((resolve) => {
        worker.once('message', (message: { count: number }) => resolve(message.count));
        worker.postMessage('count');
      }),
    async close() {
      worker.postMessage('close');
      await Promise.race([
        new Promise((resolve) => worker.once('exit', resolve)),
        new Promise((resolve) => setTimeout(resolve, 5_000)),
      ]);
      await worker.terminate();
    },
  };
}

/** Runs `send(i)` for i in 0..count-1 with at most `concurrency` in flight. */
async function inParallel(count: number, concurrency: number, send: (i: number) => Promise<boolean>) {
  let next = 0;
  let failures = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        const i = next++;
        if (!(await send(i))) failures += 1;
      }
    }),
  );
  return { elapsedMs: performance.now() - started, failures };
}

const FROM = '"Comune di Borgo Sereno" <noreply@borgosereno.example>';

function mail(i: number): OutgoingMessage {
  return {
    deliveryId: `bench-${i}`,
    comune: '999001',
    recipient: { channel: 'email', address: `cittadino${i}@example.org` },
    language: 'it',
    subject: 'Allerta arancione: rischio idrogeologico',
    text: `Allerta arancione per la zona centro fino a domani alle 24. Messaggio ${i}.`,
    html: `<p>Allerta <strong>arancione</strong> per la zona centro fino a domani alle 24. Messaggio ${i}.</p>`,
  };
}

interface EmailRun {
  sender: string;
  mails: number;
  concurrency: number;
  elapsedMs: number;
  mailsPerSecond: number;
  failures: number;
  received: number;
}

async function emailRuns(mails: number, loopMails: number, concurrency: number): Promise<EmailRun[]> {
  const sink = await startSinkWorker();
  const runs: EmailRun[] = [];
  try {
    const measure = async (
      sender: string,
      count: number,
      inFlight: number,
      send: (i: number) => Promise<boolean>,
      close: () => void | Promise<void>,
    ) => {
      const before = await sink.count();
      const { elapsedMs, failures } = await inParallel(count, inFlight, send);
      await close();
      runs.push({
        sender,
        mails: count,
        concurrency: inFlight,
        elapsedMs: Math.round(elapsedMs),
        mailsPerSecond: round(count / (elapsedMs / 1000)),
        failures,
        received: (await sink.count()) - before,
      });
    };

    const channel = createEmailChannel({ host: '127.0.0.1', port: sink.port, ignoreTls: true, from: FROM });
    await measure(
      'notifier email channel (pool of 5)',
      mails,
      concurrency,
      async (i) => (await channel.send(mail(i))).ok,
      () => channel.close(),
    );

    const plain = (inFlight: number) => {
      const transport = nodemailer.createTransport({ host: '127.0.0.1', port: sink.port, ignoreTLS: true });
      return measure(
        `plain nodemailer, ${inFlight === 1 ? 'sendMail loop' : `${inFlight} in flight`}`,
        inFlight === 1 ? loopMails : mails,
        inFlight,
        async (i) => {
          const message = mail(i);
          try {
            await transport.sendMail({
              from: FROM,
              to: (message.recipient as { address: string }).address,
              subject: message.subject,
              text: message.text,
              html: message.html,
            });
            return true;
          } catch {
            return false;
          }
        },
        () => transport.close(),
      );
    };
    await plain(1);
    await plain(concurrency);
  } finally {
    await sink.close();
  }
  return runs;
}

interface TelegramRun {
  scenario: string;
  messages: number;
  sent: number;
  tooManyRequests: number;
  elapsedMs: number;
  /** Messages per second from the first to the last accepted message. */
  achievedPerSecond: number;
  /** Most messages accepted within any one second. */
  busiestSecond: number;
  limitPerSecond: number;
}

async function telegramRun(scenario: string, chats: number, perChat: number): Promise<TelegramRun> {
  const token = `123456:${randomBytes(12).toString('hex')}`;
  // Counts like the real Bot API: 30 in any rolling second, a chat's next message a second later.
  const fake = await startFakeTelegram({ token, strict: true });
  try {
    const channel = createTelegramChannel({ token, apiRoot: fake.apiRoot }, { pacer: createTelegramPacer() });
    const messages = chats * perChat;
    const started = performance.now();
    const results = await Promise.all(
      Array.from({ length: messages }, (_, i) =>
        channel.send({
          deliveryId: `bench-${i}`,
          comune: '999001',
          recipient: { channel: 'telegram', chatId: 10_000 + (i % chats) },
          language: 'it',
          subject: 'Allerta',
          text: `Allerta arancione per la zona centro. Messaggio ${i}.`,
        }),
      ),
    );
    const elapsedMs = performance.now() - started;
    const times = fake.sent.map((message) => message.at).sort((a, b) => a - b);
    let busiest = 0;
    for (let i = 0, j = 0; i < times.length; i += 1) {
      while (times[i]! - times[j]! >= 1_000) j += 1;
      busiest = Math.max(busiest, i - j + 1);
    }
    const span = (times.at(-1)! - times[0]!) / 1000;
    return {
      scenario,
      messages,
      sent: results.filter((result) => result.ok).length,
      tooManyRequests: fake.tooManyRequests,
      elapsedMs: Math.round(elapsedMs),
      achievedPerSecond: span > 0 ? round((times.length - 1) / span) : 0,
      busiestSecond: busiest,
      // Each chat may get 1 message a second, the bot 30 in all.
      limitPerSecond: Math.min(30, chats),
    };
  } finally {
    await fake.close();
  }
}

/** Runs the notifier figures. */
export async function runNotifierBenchmark(options: NotifierBenchOptions = {}): Promise<SectionResult> {
  const {
    log = console.log,
    recipients = 100_000,
    postgres = true,
    mails = 1_500,
    loopMails = 200,
    emailConcurrency = 16,
    telegramMessages = 300,
  } = options;

  log(`notifier: planning ${recipients} recipients...`);
  const plans = [await planning('sqlite', recipients)];
  if (postgres) plans.push(await planning('postgresql', recipients));
  for (const plan of plans) log(`  ${plan.driver}: ${plan.elapsedMs} ms`);

  log(`notifier: ${mails} mails per sender...`);
  const email = await emailRuns(mails, loopMails, emailConcurrency);
  for (const run of email) log(`  ${run.sender}: ${run.mailsPerSecond} mails/s`);

  log(`notifier: Telegram pacing (${telegramMessages} chats, then 10 chats x 5)...`);
  const telegram = [
    await telegramRun(`${telegramMessages} chats, 1 message each`, telegramMessages, 1),
    await telegramRun('10 chats, 5 messages each', 10, 5),
  ];
  const channelRun = email[0]!;
  const loopRun = email[1]!;

  return {
    section: 'notifier',
    title: 'alert planning, email throughput, Telegram pacing',
    tables: [
      {
        header: ['planning', 'recipients', 'ms', 'deliveries/s'],
        rows: plans.map((p) => [p.driver, cell(p.recipients), cell(p.elapsedMs), cell(p.perSecond)]),
      },
      {
        header: [
          'email sender',
          'mails',
          'in flight',
          'mails/s',
          'ms',
          'failures',
          'received',
          'vs sendMail loop',
        ],
        rows: email.map((run) => [
          run.sender,
          cell(run.mails),
          cell(run.concurrency),
          cell(run.mailsPerSecond),
          cell(run.elapsedMs),
          cell(run.failures),
          cell(run.received),
          cell(round(run.mailsPerSecond / loopRun.mailsPerSecond, 2), 'x'),
        ]),
      },
      {
        header: ['telegram', 'sent', '429s', 'msg/s achieved', 'limit msg/s', 'busiest second', 'ms'],
        rows: telegram.map((run) => [
          run.scenario,
          `${run.sent}/${run.messages}`,
          cell(run.tooManyRequests),
          cell(run.achievedPerSecond),
          cell(run.limitPerSecond),
          cell(run.busiestSecond),
          cell(run.elapsedMs),
        ]),
      },
    ],
    notes: [
      `planning: one delivery per recipient (email), the planner's bulk insert (planSyntheticAudience) into a fresh database`,
      `email: ${mails} mails (${loopMails} for the one-at-a-time loop, a new connection per mail) to the SMTP sink test peer in a worker thread (it parses every mail, which caps what any sender reaches); the channel sends ${round(channelRun.mailsPerSecond / loopRun.mailsPerSecond, 2)}x as many per second as a plain sendMail loop`,
      'telegram: the channel with its default pacer (requests take their slot as they leave: evenly spaced, at most 30 in any rolling second plus 100 ms, a chat one second after its previous answer) against the fake Bot API counting strictly at the wire (30 in any rolling second, 1 s per chat, no slack); every message is handed to the channel at once',
    ],
    data: { plans, email, telegram },
  };
}

import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import {
  createDatabase,
  createLogger,
  createNatsBus,
  type Database,
  type EventBus,
} from '@sportello/platform';
import { startFakeTelegram, startSmtpSink, type ReceivedMail } from '@sportello/test-support';
import { NOTIFIER_ENTITIES } from '../entities/index.js';
import { migrations as postgresql } from '../migrations/postgresql/index.js';
import { migrations as sqlite } from '../migrations/sqlite/index.js';
import { seedNotifier } from '../seed/index.js';
import {
  COMUNE,
  linkTelegramInIdentity,
  startAnagrafeFake,
  startIdentity,
  type NotifierPeers,
} from './harness.js';

const CHILD = fileURLToPath(new URL('./crash-child.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The children a test started and what they printed (warnings and errors), for failure messages. */
export interface CrashChildren {
  children: ChildProcess[];
  output: string[];
}

/**
 * Starts the notifier as a real child process (tsx, workspace sources) with `settings` (see
 * crash-child.ts), recorded in `into`. `ready` resolves with the time it said it was ready, and
 * rejects when it exits first.
 */
export function startCrashChild(
  settings: Record<string, unknown>,
  into: CrashChildren,
): { child: ChildProcess; ready: Promise<number> } {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=source', CHILD, JSON.stringify(settings)],
    {
      cwd: ROOT,
      // The sources (platform's too) use TypeScript's legacy decorators: the base config says so for all.
      env: {
        ...process.env,
        TSX_TSCONFIG_PATH: fileURLToPath(new URL('../../../tsconfig.base.json', import.meta.url)),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  into.children.push(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout?.on('data', (chunk: Buffer) => into.output.push(chunk.toString()));
  const ready = new Promise<number>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve(Date.now());
    });
    child.once('exit', (code, signal) => reject(new Error(`child exited (${code ?? signal}):\n${stderr}`)));
  });
  return { child, ready };
}

/** Kills a child with SIGKILL and resolves once it has exited. */
export async function killChild(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

/** Stops a child with SIGTERM, as a deployment would, and resolves once it has exited. */
export async function stopChild(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** The addresses that received mail, with the distinct Message-IDs each got. */
export function messageIdsByAddress(mails: readonly ReceivedMail[]): Map<string, Set<string>> {
  const byAddress = new Map<string, Set<string>>();
  for (const mail of mails) {
    for (const to of mail.envelope.to) {
      const ids = byAddress.get(to) ?? new Set<string>();
      ids.add(mail.parsed.messageId ?? '');
      byAddress.set(to, ids);
    }
  }
  return byAddress;
}

/** Options of {@link startCrashScenario}. */
export interface CrashScenarioOptions {
  /** Names the temporary folder, the JetStream stream and its subject root. */
  name: string;
  /** The Bot API token the fake Telegram accepts. */
  telegramToken: string;
  /** The citizens identity knows, each with a verified email address. */
  residents: readonly string[];
  emailOf(index: number): string;
  /** Anagrafe's residents by zone, and how it answers (see {@link startAnagrafeFake}). */
  zones: Record<string, readonly string[]>;
  anagrafe?: Parameters<typeof startAnagrafeFake>[1];
  /** The chats linked earlier through the bot: identity knows they are linked, the notifier has the ids. */
  telegramChats: ReadonlyArray<{ fiscalCode: string; chatId: string }>;
  /** Settings of every child over the scenario's own (see crash-child.ts). */
  child?: Record<string, unknown>;
}

/**
 * Peers and a bus for notifier children killed mid-work: identity, an anagrafe fake, an SMTP sink
 * and the fake Bot API on loopback, the notifier's SQLite database (migrated, seeded, open for
 * reading what the children did) and a JetStream stream of its own on the local NATS server.
 */
export interface CrashScenario extends NotifierPeers {
  bus: EventBus;
  database: Database;
  /** What the children printed (warnings and errors), for failure messages. */
  output: string[];
  /** Starts a notifier child on the scenario's database, peers and stream. */
  startChild(): { child: ChildProcess; ready: Promise<number> };
  /** Kills a child with SIGKILL and resolves once it has exited. */
  kill(child: ChildProcess): Promise<void>;
  /** Stops a child with SIGTERM, as a deployment would, and resolves once it has exited. */
  stop(child: ChildProcess): Promise<void>;
  /** The addresses the SMTP sink received mail for, with the distinct Message-IDs each got. */
  messageIdsByAddress(): Map<string, Set<string>>;
  /** Kills the children left, closes everything and deletes the stream and the folder. */
  close(): Promise<void>;
}

const NATS = 'nats://127.0.0.1:4222';

export async function startCrashScenario(options: CrashScenarioOptions): Promise<CrashScenario> {
  const suffix = randomBytes(4).toString('hex');
  const stream = `NOTIFIER${options.name.toUpperCase()}_${suffix}`;
  const root = `notifier${options.name}${suffix}`;
  const dir = await mkdtemp(join(tmpdir(), `notifier-${options.name}-`));
  const into: CrashChildren = { children: [], output: [] };
  const [identity, anagrafe, smtp, telegram] = await Promise.all([
    startIdentity(
      options.residents.map((fiscalCode, i) => ({
        fiscalCode,
        email: options.emailOf(i),
        emailVerified: true,
      })),
    ),
    startAnagrafeFake(options.zones, options.anagrafe),
    startSmtpSink(),
    startFakeTelegram({ token: options.telegramToken, perSecond: 100, burst: 30 }),
  ]);
  await linkTelegramInIdentity(
    identity.identity,
    options.telegramChats.map((chat) => chat.fiscalCode),
  );
  const sqlitePath = join(dir, 'notifier.db');
  const database = await createDatabase({
    service: 'notifier',
    driver: 'sqlite',
    sqlitePath,
    entities: NOTIFIER_ENTITIES,
    migrations: { sqlite, postgresql },
  });
  await database.migrate();
  await seedNotifier(database, { comune: COMUNE, telegramChats: [...options.telegramChats] });
  const bus = await createNatsBus({
    servers: NATS,
    stream,
    subjectRoot: root,
    logger: createLogger({ name: 't', level: 'silent' }),
  });
  return {
    identity,
    anagrafe,
    smtp,
    telegram,
    bus,
    database,
    output: into.output,
    startChild: () =>
      startCrashChild(
        {
          sqlitePath,
          identityUrl: identity.url,
          anagrafeUrl: anagrafe.url,
          nats: NATS,
          stream,
          root,
          consumer: `notifier-${suffix}`,
          smtp: { host: smtp.host, port: smtp.port },
          telegramApiRoot: telegram.apiRoot,
          telegramToken: options.telegramToken,
          sandboxDir: join(dir, 'sandbox'),
          ...options.child,
        },
        into,
      ),
    kill: killChild,
    stop: stopChild,
    messageIdsByAddress: () => messageIdsByAddress(smtp.mails),
    async close() {
      for (const child of into.children)
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await bus.close();
      await database.close();
      const nc = await connect({ servers: NATS });
      await (await jetstreamManager(nc)).streams.delete(stream).catch(() => undefined);
      await nc.close();
      await Promise.all([identity.close(), anagrafe.close(), smtp.close(), telegram.close()]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

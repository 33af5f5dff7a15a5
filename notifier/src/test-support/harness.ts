import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createIdentity, seedIdentity, type IdentityHandle } from '@sportello/identity';
import { createInProcessBus, createLogger, type EventBus } from '@sportello/platform';
import { computeFiscalCode } from '@sportello/schema';
import {
  createTestIssuer,
  serviceTestCoreConfig,
  startNotificationPeers,
  type FakeIo,
  type FakeTelegram,
  type FakeTelegramOptions,
  type NotificationPeers,
  type SmtpSink,
  type TestIssuer,
} from '@sportello/test-support';
import type { NotifierConfig } from '../config.js';
import { createNotifier, type NotifierDeps, type NotifierHandle } from '../notifier.js';
import { seedNotifier } from '../seed/index.js';
import { testConfig } from './test-config.js';

export const COMUNE = '001272';
export const NOTIFIER_SECRET = 'notifier-secret-for-tests';
export const ISSUER = 'http://identity.test';
export const AUDIENCE = 'sportello';

/** `count` distinct valid fiscal codes (birth dates one day apart). */
export function fiscalCodes(count: number, offset = 0): string[] {
  const start = Date.UTC(1940, 0, 1);
  return Array.from({ length: count }, (_, i) => {
    const birth = new Date(start + (i + offset) * 86_400_000).toISOString().slice(0, 10);
    return computeFiscalCode({
      surname: 'Bianchi',
      name: 'Luca',
      birthDate: birth,
      sex: i % 2 === 0 ? 'M' : 'F',
      birthPlaceCode: 'H501',
    });
  });
}

/** A citizen for identity's seed. */
export interface TestCitizen {
  fiscalCode: string;
  email?: string;
  emailVerified?: boolean;
  ioEnabled?: boolean;
  preferredLanguage?: 'it' | 'en' | 'de';
}

/** The real identity service on loopback, with a notifier internal client. */
export async function startIdentity(citizens: readonly TestCitizen[]): Promise<{
  url: string;
  identity: IdentityHandle;
  bus: EventBus;
  close(): Promise<void>;
}> {
  const dir = await mkdtemp(join(tmpdir(), 'notifier-identity-'));
  const bus = createInProcessBus();
  const identity = await createIdentity(
    {
      ...serviceTestCoreConfig({
        comune: COMUNE,
        comuneName: 'Prova',
        issuer: ISSUER,
        audience: AUDIENCE,
        database: { driver: 'sqlite', url: join(dir, 'identity.db') },
      }),
      publicUrl: ISSUER,
      accessTokenTtlSeconds: 900,
      signingKeyRotationSeconds: 30 * 86_400,
      telegramBotUsername: 'SportelloTestBot',
      upstream: null,
      internalClients: [{ clientId: 'sportello-notifier', service: 'notifier', secret: NOTIFIER_SECRET }],
    },
    { bus, logger: createLogger({ name: 'identity-test', level: 'silent' }) },
  );
  await seedIdentity(identity.database.fork({ comune: COMUNE }), {
    comune: COMUNE,
    citizens: citizens.map((c) => ({ givenName: 'Luca', familyName: 'Bianchi', ...c })),
    staff: [],
  });
  const url = await identity.listen(0);
  return {
    url,
    identity,
    bus,
    async close() {
      await identity.close();
      await bus.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Marks the citizens' Telegram chats as linked in identity (all of them without `fiscalCodes`), as
 * linking through the bot earlier would have: identity knows they are linked, the notifier has the
 * chat ids (see {@link startTestNotifier}'s `telegramChats`).
 */
export async function linkTelegramInIdentity(
  identity: IdentityHandle,
  fiscalCodes?: readonly string[],
): Promise<void> {
  const only = fiscalCodes ? ` where fiscal_code in (${fiscalCodes.map(() => '?').join(',')})` : '';
  await identity.database
    .fork({ comune: COMUNE })
    .execute(`update citizen set telegram_chat_id = 'linked', telegram_linked_at = ?${only}`, [
      new Date().toISOString(),
      ...(fiscalCodes ?? []),
    ]);
}

/** A notifier on a SQLite file of its own (in a temporary folder), with an in-process bus. */
export interface TestNotifier {
  notifier: NotifierHandle;
  bus: EventBus;
  /** The temporary folder (database, sandbox). */
  dir: string;
  /** Closes the notifier and the bus and deletes the folder. */
  close(): Promise<void>;
}

/**
 * Creates a notifier for tests on a SQLite file in a new temporary folder (`prefix` names it), with
 * the identity and anagrafe peers given and `config` over {@link testConfig}, and records the
 * Telegram chats the citizens linked. Not started: call `notifier.start()` or `notifier.listen(0)`.
 */
export async function startTestNotifier(options: {
  prefix: string;
  identityUrl: string;
  anagrafeUrl: string;
  config?: Partial<NotifierConfig>;
  telegramChats?: ReadonlyArray<{ fiscalCode: string; chatId: string }>;
  jwks?: NotifierDeps['jwks'];
  /** The bus to use (one already listened on). @default a new in-process bus */
  bus?: EventBus;
}): Promise<TestNotifier> {
  const dir = await mkdtemp(join(tmpdir(), options.prefix));
  const bus = options.bus ?? createInProcessBus();
  const notifier = await createNotifier(
    testConfig({
      database: { driver: 'sqlite', url: join(dir, 'notifier.db') },
      identityUrl: options.identityUrl,
      anagrafeUrl: options.anagrafeUrl,
      sandboxDir: join(dir, 'sandbox'),
      ...options.config,
    }),
    {
      bus,
      logger: createLogger({ name: options.prefix, level: 'silent' }),
      ...(options.jwks ? { jwks: options.jwks } : {}),
    },
  );
  await seedNotifier(notifier.database, {
    comune: COMUNE,
    telegramChats: [...(options.telegramChats ?? [])],
  });
  return {
    notifier,
    bus,
    dir,
    async close() {
      await notifier.close();
      await bus.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The peers every notifier under test talks to: identity, anagrafe, a mail server and the Bot API. */
export interface NotifierPeers {
  identity: Awaited<ReturnType<typeof startIdentity>>;
  anagrafe: Awaited<ReturnType<typeof startAnagrafeFake>>;
  smtp: SmtpSink;
  telegram: FakeTelegram;
}

/**
 * A notifier at work among its peers: identity with the citizens, an anagrafe fake with the zones,
 * the three providers, a test token issuer, and the notifier listening on loopback.
 */
export interface NotifierScene extends NotifierPeers {
  io: FakeIo;
  issuer: TestIssuer;
  notifier: NotifierHandle;
  bus: EventBus;
  /** Where the notifier listens. */
  url: string;
  /** Closes the notifier, its bus and every peer. */
  close(): Promise<void>;
}

/** Options of {@link startNotifierScene}. */
export interface NotifierSceneOptions {
  /** Names the notifier's temporary folder. */
  prefix: string;
  citizens: readonly TestCitizen[];
  /** Anagrafe's residents by zone. */
  zones: Record<string, readonly string[]>;
  telegram: FakeTelegramOptions;
  /**
   * App IO: the key the notifier calls it with, the citizens whose profile lets the comune write to
   * them, and the notifier's rate.
   */
  io: { apiKey: string; senders: readonly string[]; ratePerSecond: number };
  /** The chats linked earlier through the bot: identity knows they are linked, the notifier has the ids. */
  telegramChats: ReadonlyArray<{ fiscalCode: string; chatId: string }>;
  /** What the citizens changed in identity before the notifier starts (their preferences). */
  prepare?: (identity: IdentityHandle) => Promise<void>;
  /** The notifier's bus (one already listened on). @default a new in-process bus */
  bus?: EventBus;
  /** The notifier's settings over {@link testConfig} (IO's aside), given the providers. */
  config(peers: NotificationPeers): Partial<NotifierConfig>;
}

export async function startNotifierScene(options: NotifierSceneOptions): Promise<NotifierScene> {
  const [identity, anagrafe, peers, issuer] = await Promise.all([
    startIdentity(options.citizens),
    startAnagrafeFake(options.zones),
    startNotificationPeers({
      telegram: options.telegram,
      io: {
        keys: [options.io.apiKey],
        profiles: Object.fromEntries(options.io.senders.map((code) => [code, { senderAllowed: true }])),
      },
    }),
    createTestIssuer({ issuer: ISSUER, audience: AUDIENCE }),
  ]);
  const closePeers = () => Promise.all([identity.close(), anagrafe.close(), peers.close()]);
  let running: TestNotifier;
  try {
    await linkTelegramInIdentity(
      identity.identity,
      options.telegramChats.map((chat) => chat.fiscalCode),
    );
    await options.prepare?.(identity.identity);
    running = await startTestNotifier({
      prefix: options.prefix,
      identityUrl: identity.url,
      anagrafeUrl: anagrafe.url,
      jwks: issuer.jwks,
      telegramChats: options.telegramChats,
      config: {
        ...options.config(peers),
        io: { baseUrl: peers.io.baseUrl, apiKey: options.io.apiKey, ratePerSecond: options.io.ratePerSecond },
      },
      ...(options.bus ? { bus: options.bus } : {}),
    });
  } catch (error) {
    await closePeers();
    throw error;
  }
  const url = await running.notifier.listen(0);
  return {
    identity,
    anagrafe,
    smtp: peers.smtp,
    telegram: peers.telegram,
    io: peers.io,
    issuer,
    notifier: running.notifier,
    bus: running.bus,
    url,
    async close() {
      await running.close();
      await closePeers();
    },
  };
}

/**
 * A loopback stand-in for anagrafe's `residentsInZones` (the anagrafe subgraph is not there yet):
 * answers the notifier's GraphQL query over HTTP from a zone map, paginated by fiscal code, and
 * refuses calls without a bearer token.
 */
export async function startAnagrafeFake(
  residents: Record<string, readonly string[]>,
  options: {
    /**
     * Awaited before a page is answered, with the cursor it starts after (`null` for the first): a
     * slow anagrafe, holding pages back until the test lets them through.
     */
    beforePage?: (after: string | null) => Promise<void> | undefined;
  } = {},
): Promise<{
  url: string;
  calls: number;
  close(): Promise<void>;
}> {
  const state = { calls: 0 };
  const read = async (req: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
      query: string;
      variables: { zones: string[] | null; first: number; after: string | null };
    };
  };
  const server = createServer((req, res) => {
    void (async () => {
      state.calls += 1;
      if (!/^Bearer .+/.test(req.headers.authorization ?? '')) {
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({ errors: [{ message: 'no token', extensions: { code: 'UNAUTHENTICATED' } }] }),
        );
        return;
      }
      const { query, variables } = await read(req);
      if (!query.includes('residentsInZones')) {
        res.writeHead(400).end();
        return;
      }
      const zones = variables.zones ?? Object.keys(residents);
      const all = [...new Set(zones.flatMap((zone) => residents[zone] ?? []))].sort();
      const from = variables.after === null ? 0 : all.findIndex((code) => code > variables.after!);
      const start = from < 0 ? all.length : from;
      const page = all.slice(start, start + variables.first);
      await options.beforePage?.(variables.after);
      const hasNextPage = start + page.length < all.length;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          data: {
            residentsInZones: {
              nodes: page.map((fiscalCode) => ({ fiscalCode })),
              pageInfo: { hasNextPage, endCursor: page.at(-1) ?? null },
            },
          },
        }),
      );
    })();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get calls() {
      return state.calls;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export { smtpPeerSettings, telegramPeerSettings, testConfig } from './test-config.js';

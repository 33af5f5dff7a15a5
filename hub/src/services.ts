import { createAnagrafe, loadAnagrafeConfig, seedAnagrafe } from '@sportello/anagrafe';
import {
  createCivilProtection,
  loadCivilProtectionConfig,
  seedCivilProtection,
} from '@sportello/civil-protection';
import { createIdentity, loadIdentityConfig, seedIdentity, setUpComune } from '@sportello/identity';
import { createNotifier, loadNotifierConfig, seedNotifier } from '@sportello/notifier';
import {
  createPractices,
  loadPracticesConfig,
  seedPractices,
  setUpPracticeTypes,
} from '@sportello/practices';
import { createTributi, loadTributiConfig, seedTributi } from '@sportello/tributi';
import type {
  Database,
  Environment,
  EventBus,
  ForegroundGate,
  JwksSource,
  Logger,
} from '@sportello/platform';
import type { HubConfig, ServiceName } from './config.js';
import { demoTelegramChatId, identitySeed } from './demo/identity-seed.js';
import type { DemoPopulation } from './demo/population.js';
import type { Topology } from './topology.js';

/** What the hub needs of every service, whatever its package. */
export interface RunningService {
  readonly database: Database;
  listen(port: number, host?: string): Promise<string>;
  close(): Promise<void>;
  /** The signing keys a service publishes (identity), for in-process verification. */
  readonly jwks?: JwksSource;
}

export interface ServiceDeps {
  bus: EventBus;
  logger: Logger;
  /** Identity's keys, in one process; services fetch the JWKS URL otherwise. */
  jwks?: JwksSource;
  /** The embedded hub's gate: background work of a service waits for requests in progress. */
  foreground?: ForegroundGate;
}

/** One service as the hub starts and seeds it, in either mode. */
export interface ServiceModule {
  name: ServiceName;
  /** Builds the service from the same environment its own process would read. */
  create(env: Environment, deps: ServiceDeps): Promise<RunningService>;
  /** Reads that environment as the service will. @throws {ConfigError} naming every bad variable */
  check(env: Environment): void;
  /** Seeds the demo comune (idempotent); returns a line for the person watching. */
  seed(
    database: Database,
    population: DemoPopulation,
    progress: (line: string) => void,
    topology: Topology,
  ): Promise<string>;
  /**
   * Production: the reference data a comune needs before its first user (no demo data);
   * idempotent. @returns a line for the person watching, or nothing when there is nothing to do
   */
  setUp?(database: Database, config: HubConfig, topology: Topology): Promise<string | undefined>;
  /** Built entry point of its own process (distributed mode), relative to the repository root. */
  main: string;
}

const identity: ServiceModule = {
  name: 'identity',
  main: 'subgraphs/identity/dist/main.js',
  check: (env) => void loadIdentityConfig(env),
  async create(env, deps) {
    const service = await createIdentity(loadIdentityConfig(env), { bus: deps.bus, logger: deps.logger });
    return {
      database: service.database,
      listen: (port, host) => service.listen(port, host),
      close: () => service.close(),
      jwks: async () => ({ keys: await service.keys.publishedKeys() }),
    };
  },
  async seed(database, population, progress, topology) {
    const demo = identitySeed(population);
    const seed = {
      ...demo,
      // Fake chat ids, for the sandbox or a test Bot API: a real bot would write to them and unlink them.
      citizens: topology.demoTelegramChats
        ? demo.citizens
        : demo.citizens.map((citizen) => ({ ...citizen, telegramChatId: null })),
      dashboardRedirectUris: topology.dashboardRedirectUris,
    };
    await seedIdentity(database.fork({ comune: seed.comune }), seed, (done, total) =>
      progress(`  identity: ${done}/${total} citizens`),
    );
    return `identity: ${seed.citizens.length} citizens, ${seed.staff.length} staff, ${seed.delegations?.length ?? 0} delegations`;
  },
  async setUp(database, config, topology) {
    await setUpComune(database.fork({ comune: config.comune }), {
      comune: config.comune,
      dashboardRedirectUris: topology.dashboardRedirectUris,
      ...(config.staffAdminUsername === null
        ? {}
        : { admin: { username: config.staffAdminUsername, displayName: config.staffAdminUsername } }),
    });
    return `identity: staff dashboard registered${config.staffAdminUsername === null ? '' : `, administrator ${config.staffAdminUsername}`}`;
  },
};

const anagrafe: ServiceModule = {
  name: 'anagrafe',
  main: 'subgraphs/anagrafe/dist/main.js',
  check: (env) => void loadAnagrafeConfig(env),
  create: (env, deps) => createAnagrafe(loadAnagrafeConfig(env), deps),
  async seed(database, population, progress) {
    const { comune } = population;
    const result = await seedAnagrafe(
      database.fork({ comune: comune.istat }),
      { comune: comune.istat, streets: comune.streets, people: population.people },
      { onProgress: (done, total) => progress(`  anagrafe: ${done}/${total} residents`) },
    );
    return `anagrafe: ${result.residents} residents, ${result.documents} identity documents, ${result.streets} streets`;
  },
};

const tributi: ServiceModule = {
  name: 'tributi',
  main: 'subgraphs/tributi/dist/main.js',
  check: (env) => void loadTributiConfig(env),
  create: (env, deps) => createTributi(loadTributiConfig(env), deps),
  async seed(database, population, progress) {
    const result = await seedTributi(database, population, (done, total) =>
      progress(`  tributi: ${done}/${total} payment positions`),
    );
    return result.skipped
      ? 'tributi: payment positions already there'
      : `tributi: ${result.positions} payment positions with pagoPA notices`;
  },
};

const practices: ServiceModule = {
  name: 'practices',
  main: 'subgraphs/practices/dist/main.js',
  check: (env) => void loadPracticesConfig(env),
  create: (env, deps) => createPractices(loadPracticesConfig(env), deps),
  async seed(database, population, progress) {
    const result = await seedPractices(
      database,
      { comune: population.comune, people: population.people },
      (done, total) => progress(`  practices: ${done}/${total} practices`),
    );
    return `practices: ${result.types} practice types, ${result.calendars} office calendars, ${result.practices} practices, ${result.reports} reports`;
  },
  async setUp(database, config) {
    const types = await setUpPracticeTypes(database, config.comune);
    return types === 0 ? undefined : `practices: ${types} practice types of the catalogue`;
  },
};

const notifier: ServiceModule = {
  name: 'notifier',
  main: 'notifier/dist/main.js',
  check: (env) => void loadNotifierConfig(env),
  create: (env, deps) => createNotifier(loadNotifierConfig(env), deps),
  async seed(database, population, progress, topology) {
    // A real bot: citizens link their own chats from the deep link; no fake ones to write to.
    if (!topology.demoTelegramChats) {
      return 'notifier: no demo Telegram chats (a bot is configured: citizens link theirs from the deep link)';
    }
    // Demo citizens who linked Telegram: their chats go to the sandbox folder (or the test Bot API).
    const telegramChats = population.people
      .map((person, i) => ({ person, chatId: demoTelegramChatId(i) }))
      .filter(({ person }) => person.telegram)
      .map(({ person, chatId }) => ({ fiscalCode: person.fiscalCode, chatId }));
    const linked = await seedNotifier(
      database,
      { comune: population.comune.istat, telegramChats },
      (done, total) => progress(`  notifier: ${done}/${total} Telegram chats`),
    );
    return `notifier: ${linked} Telegram chats linked (sandbox)`;
  },
};

const civilProtection: ServiceModule = {
  name: 'civil-protection',
  main: 'subgraphs/civil-protection/dist/main.js',
  check: (env) => void loadCivilProtectionConfig(env),
  create: (env, deps) => createCivilProtection(loadCivilProtectionConfig(env), deps),
  async seed(database, population) {
    const { comune } = population;
    const result = await seedCivilProtection(database.fork({ comune: comune.istat }), {
      comune: comune.istat,
      comuneName: comune.name,
      zones: comune.zones.map((zone) => ({
        code: zone.code,
        name: zone.name,
        regionalAlertZone: zone.regionalAlertZone,
        geometry: zone.geometry,
        centre: { latitude: zone.centre.lat, longitude: zone.centre.lon },
      })),
      centre: { latitude: comune.centre.lat, longitude: comune.centre.lon },
    });
    return `civil protection: ${result.zones} zones, ${result.areas} emergency areas, ${result.ordinances} ordinances`;
  },
};

/**
 * The services the hub runs, in start order: identity first (the others verify the tokens it signs),
 * then the notifier, so that its durable consumer is there before the other services' outbox relays
 * publish what they had pending (the in-process bus keeps nothing for a consumer not yet started).
 */
export const SERVICE_MODULES: readonly ServiceModule[] = [
  identity,
  notifier,
  anagrafe,
  tributi,
  practices,
  civilProtection,
];

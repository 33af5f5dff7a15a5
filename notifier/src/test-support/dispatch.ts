import { createLogger, type Database, type DatabaseDriver } from '@sportello/platform';
import { createTestDatabase, type SmtpSink, type TestDatabase } from '@sportello/test-support';
import type { ChannelName } from '../channels/channel.js';
import { createEmailChannel, type EmailChannelConfig } from '../channels/email/email-channel.js';
import { withLane } from '../channels/lanes.js';
import { DeliveryStore } from '../delivery/delivery-store.js';
import { Dispatcher, type DispatchChannel, type DispatcherOptions } from '../delivery/dispatcher.js';
import { createRenderer } from '../delivery/renderer.js';
import { NOTIFIER_ENTITIES } from '../entities/index.js';
import { migrations as postgresql } from '../migrations/postgresql/index.js';
import { migrations as sqlite } from '../migrations/sqlite/index.js';
import { createRateLimiter } from '../pacing/rate-limiter.js';

/** What a test runs after it, last added first. */
export type Cleanups = Array<() => Promise<unknown>>;

/**
 * A fresh, migrated notifier database on `driver` for one test; its disposal is queued on
 * `cleanups` (run after each test).
 */
export async function notifierTestDatabase(
  driver: DatabaseDriver,
  cleanups: Cleanups,
): Promise<TestDatabase> {
  const scratch = await createTestDatabase({
    service: 'notifier',
    driver,
    entities: NOTIFIER_ENTITIES,
    migrations: { sqlite, postgresql },
  });
  cleanups.push(() => scratch.dispose());
  return scratch;
}

/**
 * The email channel on an SMTP test peer, as the dispatcher drives it (unpaced, no key), closed by
 * `cleanups`; `dispatch` overrides the dispatcher's settings (concurrency, uncertain policy).
 */
export function emailDispatchChannel(
  sink: Pick<SmtpSink, 'host' | 'port'>,
  cleanups: Cleanups,
  options: { email?: Partial<EmailChannelConfig>; dispatch?: Partial<DispatchChannel> } = {},
): DispatchChannel {
  const email = createEmailChannel({
    host: sink.host,
    port: sink.port,
    ignoreTls: true,
    from: 'avvisi@comune.example.it',
    ...options.email,
  });
  cleanups.push(() => email.close());
  return { channel: email, limiter: createRateLimiter({}), keyOf: () => undefined, ...options.dispatch };
}

/**
 * A dispatcher on `database` for the given channels, with the real store and renderer (messages in
 * their lane with `lanes`), silent, stopped by `cleanups`; `options` override the rest.
 */
export function testDispatcher(
  database: Database,
  channels: ReadonlyMap<ChannelName, DispatchChannel>,
  cleanups: Cleanups,
  options: Partial<DispatcherOptions> & { lanes?: boolean } = {},
): Dispatcher {
  const { lanes, ...overrides } = options;
  const render = createRenderer({ database, comuneName: () => 'Comune di Prova' });
  const dispatcher = new Dispatcher({
    store: new DeliveryStore(database),
    channels,
    render: lanes ? withLane(render) : render,
    logger: createLogger({ name: 'dispatcher-test', level: 'silent' }),
    ...overrides,
  });
  cleanups.push(() => dispatcher.stop());
  return dispatcher;
}

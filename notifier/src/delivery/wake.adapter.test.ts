import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Database } from '@sportello/platform';
import { DATABASE_DRIVERS, startSmtpSink, type SmtpSink } from '@sportello/test-support';
import { planSyntheticAudience } from '@sportello/test-support/notifier';
import { DeliveryAttemptEntity } from '../entities/delivery-attempt.entity.js';
import { DeliveryEntity } from '../entities/delivery.entity.js';
import {
  emailDispatchChannel,
  notifierTestDatabase,
  testDispatcher,
  type Cleanups,
} from '../test-support/dispatch.js';
import { DeliveryStore, lanePriority } from './delivery-store.js';
import type { Dispatcher, DispatcherOptions } from './dispatcher.js';

/**
 * The dispatcher claims only when there may be something to claim: deliveries planned in this
 * process, a retry or a dead dispatcher's lease coming due; a slow safety poll looks for the rest.
 */

const cleanups: Cleanups = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The real store, counting its claims and its looks at the upcoming work. */
class CountingStore extends DeliveryStore {
  claims = 0;
  looks = 0;

  override claim(options: Parameters<DeliveryStore['claim']>[0]) {
    this.claims += 1;
    return super.claim(options);
  }

  override upcoming(owner: string) {
    this.looks += 1;
    return super.upcoming(owner);
  }
}

async function emailDispatcher(
  database: Database,
  options: Partial<DispatcherOptions> = {},
): Promise<{ dispatcher: Dispatcher; store: CountingStore; sink: SmtpSink }> {
  const sink = await startSmtpSink();
  cleanups.push(() => sink.close());
  const store = new CountingStore(database);
  const channels = new Map([['email' as const, emailDispatchChannel(sink, cleanups)]]);
  const dispatcher = testDispatcher(database, channels, cleanups, {
    store,
    // Neither the safety poll nor the pause after a failed pass comes during a test: what is sent
    // in time was woken, not polled.
    safetyPollMs: 60_000,
    pollIntervalMs: 60_000,
    ...options,
  });
  return { dispatcher, store, sink };
}

/** Plans one alert's email, as the planner does, and tells the dispatcher as the planner does. */
async function planEmail(database: Database, dispatcher?: Dispatcher): Promise<string> {
  const { eventId } = await planSyntheticAudience(database, { deliveries: 1, channels: ['email'] });
  dispatcher?.nudge(lanePriority('critical', 100), ['email']);
  return eventId;
}

describe.each(DATABASE_DRIVERS)('waking the dispatcher on %s', (driver) => {
  it('claims nothing while idle, through its safety polls', async () => {
    const { database } = await notifierTestDatabase(driver, cleanups);
    const { dispatcher, store } = await emailDispatcher(database, { safetyPollMs: 1_000 });
    await dispatcher.start();
    await vi.waitFor(() => expect(store.claims).toBe(1));
    const quietFrom = performance.now();
    // Three safety polls after the one on starting: three seconds and more of an idle dispatcher.
    await vi.waitFor(() => expect(store.looks).toBeGreaterThanOrEqual(4), { timeout: 10_000, interval: 50 });
    const quietMs = performance.now() - quietFrom;
    console.info(`${driver}: ${store.claims - 1} claims in ${Math.round(quietMs)} ms idle`);
    expect(quietMs).toBeGreaterThanOrEqual(2_500);
    expect(store.claims).toBe(1);
  }, 20_000);

  it('sends a delivery planned in this process at once, long before the safety poll', async () => {
    const { database } = await notifierTestDatabase(driver, cleanups);
    const { dispatcher, store, sink } = await emailDispatcher(database);
    await dispatcher.start();
    await vi.waitFor(() => expect(store.claims).toBe(1));
    const planned = performance.now();
    await planEmail(database, dispatcher);
    await sink.waitForMails(1, 5_000);
    const tookMs = performance.now() - planned;
    console.info(`${driver}: planned to sent in ${Math.round(tookMs)} ms`);
    expect(tookMs).toBeLessThan(2_000);
    expect(store.claims).toBe(2);
  }, 20_000);

  it('sends a retry when it comes due', async () => {
    const { database } = await notifierTestDatabase(driver, cleanups);
    const { dispatcher, sink } = await emailDispatcher(database, {
      backoff: { baseMs: 1_500, maxMs: 1_500, random: () => 0.999 },
    });
    sink.reject('r0@example.org', { code: 451, message: '4.3.0 try again later' });
    await dispatcher.start();
    const eventId = await planEmail(database, dispatcher);
    const em = database.forkUnscoped();
    await vi.waitFor(async () => expect(await em.count(DeliveryAttemptEntity, {})).toBe(1), { interval: 20 });
    sink.accept('r0@example.org');
    const { nextAttemptAt } = await em.findOneOrFail(DeliveryEntity, { eventId });
    await sink.waitForMails(1, 10_000);
    const lateMs = Date.now() - Number(nextAttemptAt);
    console.info(`${driver}: retry sent ${lateMs} ms after its due time`);
    expect(lateMs).toBeGreaterThanOrEqual(0);
    expect(lateMs).toBeLessThan(1_000);
  }, 20_000);

  it("sends a dead dispatcher's delivery once its lease runs out", async () => {
    const { database } = await notifierTestDatabase(driver, cleanups);
    const { dispatcher, sink } = await emailDispatcher(database);
    await planEmail(database);
    const [claimed] = await new DeliveryStore(database).claim({
      channel: 'email',
      owner: 'a-dispatcher-that-died',
      limit: 1,
      leaseMs: 2_500,
    });
    const leaseEndsAt = Date.now() + 2_500;
    expect(claimed).toBeDefined();
    await dispatcher.start();
    await sink.waitForMails(1, 10_000);
    const lateMs = Date.now() - leaseEndsAt;
    console.info(`${driver}: sent ${lateMs} ms after the lease ran out`);
    expect(lateMs).toBeGreaterThanOrEqual(0);
    expect(lateMs).toBeLessThan(1_000);
  }, 20_000);
});

import { afterEach, expect, it, vi } from 'vitest';
import { createForegroundGate, createLogger } from '@sportello/platform';
import { createEvent, type AnyEvent } from '@sportello/schema';
import { createTestDatabase } from '@sportello/test-support';
import { tariNoticeCreated } from '@sportello/test-support/notifier';
import type { AudienceDirectory, ContactDirectory, ContactPoint } from '../directory/contact-directory.js';
import { NOTIFIER_ENTITIES } from '../entities/index.js';
import { NotificationEntity } from '../entities/notification.entity.js';
import { migrations as postgresql } from '../migrations/postgresql/index.js';
import { migrations as sqlite } from '../migrations/sqlite/index.js';
import { fiscalCodes } from '../test-support/harness.js';
import { DeliveryStore } from './delivery-store.js';
import { Planner } from './planner.js';

const COMUNE = '001272';
const logger = createLogger({ name: 'planner-test', level: 'silent' });
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Awaits a condition (vitest polls it), failing after `timeoutMs`. */
async function until(check: () => boolean | Promise<boolean>, timeoutMs = 30_000) {
  await vi.waitFor(
    async () => {
      if (!(await check())) throw new Error('condition not met yet');
    },
    { timeout: timeoutMs, interval: 10 },
  );
}

const contactOf = (fiscalCode: string): ContactPoint => ({
  fiscalCode,
  email: `${fiscalCode.toLowerCase()}@example.it`,
  emailVerified: true,
  telegramLinked: false,
  ioEnabled: false,
  language: 'it',
  preferences: {},
});

it("a billing run's events wait for an alert being planned before their first statement, then are all planned", async () => {
  const scratch = await createTestDatabase({
    service: 'notifier',
    driver: 'sqlite',
    entities: NOTIFIER_ENTITIES,
    migrations: { sqlite, postgresql },
  });
  cleanups.push(() => scratch.dispose());
  const { database } = scratch;
  const residents = fiscalCodes(120);
  // The alert's audience answers its first page, then holds the rest until the test lets it go.
  let releaseAudience!: () => void;
  const audienceHeld = new Promise<void>((resolve) => (releaseAudience = resolve));
  let alertPagesRead = 0;
  const audience: AudienceDirectory = {
    async *residentsInZones(_comune, _zones, pageSize, after) {
      let start = after ? residents.indexOf(after) + 1 : 0;
      while (start < residents.length) {
        if (alertPagesRead > 0) await audienceHeld;
        alertPagesRead += 1;
        yield residents.slice(start, start + pageSize);
        start += pageSize;
      }
    },
  };
  const contacts: ContactDirectory = {
    async contactsOf(_comune: string, codes: readonly string[]) {
      return new Map(codes.map((code: string) => [code, contactOf(code)]));
    },
    linkTelegramChat: () => Promise.reject(new Error('not used')),
  } as unknown as ContactDirectory;
  // Bulk work waits for the alert for as long as this test takes: the gate never lets it go early.
  const higherLanes = createForegroundGate({ maxDeferMs: 600_000 });
  const planner = new Planner({
    database,
    store: new DeliveryStore(database),
    contacts,
    audience,
    settings: { portalUrl: 'https://comune.example.it', comuneName: () => 'Comune di Prova' },
    channels: new Set(['email']),
    publicChannel: () => undefined,
    consumer: 'notifier',
    logger,
    higherLanes,
  });

  const alert = createEvent('alert.issued', {
    comune: COMUNE,
    subject: 'red-alert',
    actor: { kind: 'staff', id: 'pc.rossi' },
    data: {
      alertId: 'red-alert',
      hazard: 'hydraulic',
      colour: 'red',
      zones: ['Z1'],
      validFrom: '2026-11-23T12:00:00+01:00',
      validTo: '2026-11-24T12:00:00+01:00',
      critical: true,
    },
  }) as AnyEvent;
  const alertPlanned = planner.planEvent(alert);
  await until(() => alertPagesRead === 1);

  // A billing run arrives while the alert is being planned.
  const run = { comune: COMUNE, actor: { kind: 'system', id: 'tributi' } } as const;
  const billing = Array.from({ length: 20 }, (_, i) => tariNoticeCreated(i, run));
  const billingPlanned = Promise.all(billing.map((event) => planner.planEvent(event)));
  await until(() => higherLanes.stats.deferred === billing.length);
  // Every one of them is waiting, and none has written anything: the alert has the database.
  const recorded = () =>
    database.forkUnscoped().count(NotificationEntity, { eventType: 'payment.position-created' });
  expect(await recorded()).toBe(0);

  releaseAudience();
  expect(await alertPlanned).toMatchObject({ status: 'planned', deliveries: residents.length });
  const outcomes = await billingPlanned;
  expect(outcomes.every((outcome) => outcome.status === 'planned')).toBe(true);
  expect(await recorded()).toBe(billing.length);
});

import { randomBytes } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import {
  createInProcessBus,
  createLogger,
  createNatsBus,
  createOutboxRelay,
  type Consumer,
  type EventBus,
  addDays,
  type IsoDate,
} from '@sportello/platform';
import { createTestDatabase, DATABASE_DRIVERS, type TestDatabase } from '@sportello/test-support';
import { computeFiscalCode, type EventEnvelope } from '@sportello/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANAGRAFE_ENTITIES } from '../entities/index.js';
import { IdentityDocumentEntity } from '../entities/identity-document.entity.js';
import { migrations as postgresql } from '../migrations/postgresql/index.js';
import { migrations as sqlite } from '../migrations/sqlite/index.js';
import { runDocumentExpiryJob } from './document-expiry.js';

const COMUNE = '001272';
const NATS = 'nats://127.0.0.1:4222';
/** A week before paper cards stop being valid. */
const TODAY: IsoDate = '2026-07-27';

/** Documents by name, with when they expire relative to TODAY and the reminder each must get. */
const CASES = {
  at180: { kind: 'CIE', expiresOn: addDays(TODAY, 180), expect: 'expiring:180' },
  at30: { kind: 'CIE', expiresOn: addDays(TODAY, 30), expect: 'expiring:30' },
  at7: { kind: 'CIE', expiresOn: addDays(TODAY, 7), expect: 'expiring:7' },
  firstSeenAt20: { kind: 'CIE', expiresOn: addDays(TODAY, 20), expect: 'expiring:20' },
  paperCard: { kind: 'paper', expiresOn: '2026-08-03', expect: 'expiring:7' },
  expiredYesterday: { kind: 'CIE', expiresOn: addDays(TODAY, -1), expect: 'expired' },
  expiredLongAgo: { kind: 'CIE', expiresOn: addDays(TODAY, -400), expect: null },
  farAway: { kind: 'CIE', expiresOn: addDays(TODAY, 181), expect: null },
} as const;

function holder(index: number): string {
  return computeFiscalCode({
    surname: 'Rossi',
    name: ['Anna', 'Bruno', 'Carla', 'Dario', 'Elena', 'Fabio', 'Gina', 'Ivo'][index]!,
    birthDate: '1980-01-15',
    sex: 'M',
    birthPlaceCode: 'D969',
  });
}

interface Fixture {
  bus: EventBus;
  /** Subject pattern of anagrafe's events on this bus. */
  subjects: string[];
  close(): Promise<void>;
}

async function busFor(driver: string): Promise<Fixture> {
  if (driver === 'sqlite') {
    return { bus: createInProcessBus(), subjects: ['sportello.*.anagrafe.>'], close: async () => undefined };
  }
  const suffix = randomBytes(5).toString('hex');
  const stream = `ANAGRAFE_TEST_${suffix}`;
  const root = `anagrafetest${suffix}`;
  const bus = await createNatsBus({ servers: NATS, stream, subjectRoot: root });
  return {
    bus,
    subjects: [`${root}.*.anagrafe.>`],
    async close() {
      await bus.close();
      const nc = await connect({ servers: NATS });
      try {
        await (await jetstreamManager(nc)).streams.delete(stream);
      } finally {
        await nc.close();
      }
    },
  };
}

/**
 * Resolves once the consumer has handled everything published so far: nothing left on the bus for
 * it, nothing unacknowledged. A duplicate published before this point has been received by then.
 */
async function drained(consumer: Consumer): Promise<void> {
  await expect
    .poll(async () => (await consumer.stats!()).every((lane) => lane.pending === 0 && lane.inFlight === 0), {
      timeout: 15_000,
    })
    .toBe(true);
}

describe.each(DATABASE_DRIVERS)('document expiry job on %s', (driver) => {
  let db: TestDatabase;
  let fixture: Fixture;
  let consumer: Consumer;
  const received: EventEnvelope[] = [];
  const ids = new Map<string, keyof typeof CASES>();

  beforeAll(async () => {
    db = await createTestDatabase({
      service: 'anagrafe',
      driver,
      entities: ANAGRAFE_ENTITIES,
      migrations: { sqlite, postgresql },
    });
    fixture = await busFor(driver);
    consumer = await fixture.bus.consume(
      { name: `expiry-${randomBytes(4).toString('hex')}`, subjects: fixture.subjects },
      async (event) => {
        received.push(event);
      },
    );
    const em = db.database.fork({ comune: COMUNE });
    Object.entries(CASES).forEach(([name, spec], index) => {
      const document = em.create(IdentityDocumentEntity, {
        comune: COMUNE,
        holderFiscalCode: holder(index),
        kind: spec.kind,
        number: `CA0000${index}AA`,
        issuedOn: '2020-01-01',
        printedExpiresOn: spec.kind === 'paper' ? '2029-05-31' : spec.expiresOn,
        expiresOn: spec.expiresOn,
        replacedAt: null,
      });
      ids.set(document.id, name as keyof typeof CASES);
    });
    await em.flush();
  });

  afterAll(async () => {
    await fixture?.close();
    await db?.dispose();
  });

  const publish = () =>
    createOutboxRelay({
      database: db.database,
      bus: fixture.bus,
      logger: createLogger({ name: 'relay', level: 'silent' }),
    }).flush();

  const describeEvent = (event: EventEnvelope) => {
    const data = event.data as { documentId: string; offsetDays?: number };
    const outcome = event.type === 'document.expired' ? 'expired' : `expiring:${data.offsetDays}`;
    return `${ids.get(data.documentId)} ${outcome}`;
  };

  it('emits each due reminder once, even when run twice the same day (twice at once, too)', async () => {
    // Two replicas at once, then a rerun (a restart, or the hourly scheduler) the same day.
    const [one, other] = await Promise.all([
      runDocumentExpiryJob(db.database, { today: TODAY }),
      runDocumentExpiryJob(db.database, { today: TODAY }),
    ]);
    expect({ expiring: one.expiring + other.expiring, expired: one.expired + other.expired }).toEqual({
      expiring: 5,
      expired: 1,
    });
    expect(await runDocumentExpiryJob(db.database, { today: TODAY })).toEqual({ expiring: 0, expired: 0 });

    await publish();
    const expected = Object.entries(CASES)
      .filter(([, spec]) => spec.expect !== null)
      .map(([name, spec]) => `${name} ${spec.expect}`)
      .sort();
    // Every event the relay published has been handled, a stray duplicate included.
    await drained(consumer);
    expect(received.map(describeEvent).sort()).toEqual(expected);
    const paper = received.find(
      (event) => ids.get((event.data as { documentId: string }).documentId) === 'paperCard',
    );
    expect(paper?.data).toMatchObject({ kind: 'paper', expiresOn: '2026-08-03', offsetDays: 7 });
  });

  it('sends the next reminder when a document reaches the next offset, and nothing twice after a republish', async () => {
    received.length = 0;
    // 150 days later the 180-day document is 30 days from expiry, the far one 31 days (first reminder,
    // late: it says how many days are really left); the others have expired.
    const later = addDays(TODAY, 150);
    const result = await runDocumentExpiryJob(db.database, { today: later, expiredNoticeLookbackDays: 365 });
    expect(result.expiring).toBe(2);
    await publish();
    await publish();
    await drained(consumer);
    expect(
      received
        .filter((event) => event.type === 'document.expiring')
        .map(describeEvent)
        .sort(),
    ).toEqual(['at180 expiring:30', 'farAway expiring:31']);
    // Each document expired exactly once over both runs, whatever the lookback.
    const expiredNow = received
      .filter((event) => event.type === 'document.expired')
      .map(describeEvent)
      .sort();
    expect(expiredNow).toEqual(['at30 expired', 'at7 expired', 'firstSeenAt20 expired', 'paperCard expired']);
  });

  it('tells a paper-card holder once that the card is invalid, months after 2026-08-03, unlike a long-expired CIE', async () => {
    received.length = 0;
    const em = db.database.fork({ comune: COMUNE });
    const holderOf = (name: string) =>
      computeFiscalCode({
        surname: 'Verdi',
        name,
        birthDate: '1975-03-02',
        sex: 'F',
        birthPlaceCode: 'D969',
      });
    const paper = em.create(IdentityDocumentEntity, {
      comune: COMUNE,
      holderFiscalCode: holderOf('Lucia'),
      kind: 'paper',
      number: 'AT1234567',
      issuedOn: '2019-05-02',
      printedExpiresOn: '2029-05-31',
      expiresOn: '2026-08-03',
      replacedAt: null,
    });
    const oldCie = em.create(IdentityDocumentEntity, {
      comune: COMUNE,
      holderFiscalCode: holderOf('Marta'),
      kind: 'CIE',
      number: 'CA99999ZZ',
      issuedOn: '2016-07-01',
      printedExpiresOn: '2026-07-01',
      expiresOn: '2026-07-01',
      replacedAt: null,
    });
    await em.flush();
    // December: the paper card ended four months ago, past the 30-day lookback.
    const december: IsoDate = '2026-12-07';
    expect(await runDocumentExpiryJob(db.database, { today: december })).toMatchObject({ expired: 1 });
    expect(await runDocumentExpiryJob(db.database, { today: december })).toEqual({ expiring: 0, expired: 0 });
    await publish();
    await drained(consumer);
    expect(received.map((event) => [event.type, (event.data as { documentId: string }).documentId])).toEqual([
      ['document.expired', paper.id],
    ]);
    expect(received[0]!.data).toMatchObject({ kind: 'paper', expiredOn: '2026-08-03' });
    expect(received.some((event) => (event.data as { documentId: string }).documentId === oldCie.id)).toBe(
      false,
    );
  });
});

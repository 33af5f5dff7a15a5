/* eslint-disable @typescript-eslint/no-explicit-any -- answers are read loosely; the assertions check their shape */
import { createLogger, openServiceDatabase, type Database } from '@sportello/platform';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PRACTICES_ENTITIES } from './entities/index.js';
import { migrations as postgresql } from './migrations/postgresql/index.js';
import { migrations as sqlite } from './migrations/sqlite/index.js';
import { COMUNE, startHarness, type Harness } from './test-support/harness.js';

const CREATE = `mutation($input: CreatePracticeDraftInput!) { createPracticeDraft(input: $input) { id } }`;
const SUBMIT = `mutation($id: ID!) { submitPractice(id: $id) { id status protocolNumber } }`;
const GET = `query($id: ID!) { practice(id: $id) { id status } }`;
const BULKY_WASTE = {
  typeCode: 'bulky-waste-collection',
  data: {
    pickupAddress: { street: 'Via Roma', number: '12', postcode: '12100' },
    items: [{ kind: 'mattress' }],
    phone: '+39 0171 123456',
  },
};

describe('submissions queueing for the protocol number (postgresql)', () => {
  let h: Harness;
  let mario: string;
  /** Another replica's handle on the service's database: connections of its own. */
  let replica: Database;

  beforeAll(async () => {
    h = await startHarness('postgresql');
    mario = await h.citizen();
    const { clientUrl, dbName } = h.service.database.orm.config.getAll();
    replica = await openServiceDatabase({
      service: 'practices',
      config: { driver: 'postgresql', url: clientUrl!, postgresDatabase: dbName! },
      entities: PRACTICES_ENTITIES,
      migrations: { sqlite, postgresql },
      logger: createLogger({ name: 'replica', level: 'silent' }),
    });
  });
  afterAll(async () => {
    await replica?.close();
    await h?.close();
  });

  const draft = async () => {
    const created = await h.graphql<any>(CREATE, { input: BULKY_WASTE }, mario);
    return created.data.createPracticeDraft.id as string;
  };
  const waitingForTheCounter = async () => {
    const [row] = await replica
      .forkUnscoped()
      .execute<{ waiting: number }[]>(
        `select count(*)::int as waiting from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
      );
    return row?.waiting ?? 0;
  };

  it('leaves the service’s other requests a connection while many wait for the number', async () => {
    // The year's counter exists once a first practice is registered.
    const first = await h.graphql<any>(SUBMIT, { id: await draft() }, mario);
    expect(first.data.submitPractice.status).toBe('REGISTERED');
    const drafts = await Promise.all(Array.from({ length: 16 }, draft));

    // Another replica holds the counter: every submission of this one has to wait for it.
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let holding!: () => void;
    const held = new Promise<void>((resolve) => (holding = resolve));
    const holder = replica.forkUnscoped().transactional(async (tx) => {
      await tx.execute('update protocol_counter set value = value where comune = ?', [COMUNE]);
      holding();
      await released;
    });
    await held;
    let submissions: Array<Promise<any>> = [];
    try {
      submissions = drafts.map((id) => h.graphql<any>(SUBMIT, { id }, mario));
      await vi.waitFor(async () => expect(await waitingForTheCounter()).toBeGreaterThan(0), {
        timeout: 20_000,
        interval: 20,
      });
      // 16 submissions wait, more than the service has connections: the citizen's read of a draft
      // is answered all the same, while they still wait.
      const read = await h.graphql<any>(GET, { id: drafts[0] }, mario);
      expect(read.data.practice).toMatchObject({ id: drafts[0], status: 'DRAFT' });
      expect(await waitingForTheCounter()).toBeGreaterThan(0);
    } finally {
      release();
      await holder;
    }

    // Then every one of them is registered, each with a number of its own.
    const answers = await Promise.all(submissions);
    const numbers = answers.map((answer) => answer.data.submitPractice.protocolNumber as string);
    expect(answers.every((answer) => answer.data.submitPractice.status === 'REGISTERED')).toBe(true);
    expect(new Set(numbers).size).toBe(drafts.length);
  });
});

import {
  computeFiscalCode,
  createEvent,
  type EventDataInput,
  type EventEnvelope,
  type EventType,
} from '@sportello/schema';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type BusLogger, type EventBus } from '../event-bus.js';
import { subjectPattern } from '../subjects.js';

/** One isolated bus setup per test (its own subjects root, and for NATS its own stream). */
export interface BusFixture {
  /** First subject token of this run; every event published by the suite lands under it. */
  root: string;
  /** Opens a bus on the fixture (call it again to "restart the process"). */
  open(logger?: BusLogger): Promise<EventBus>;
  /** Closes whatever the fixture opened and deletes server-side state. */
  teardown(): Promise<void>;
}

/** A fiscal code in the payloads, to prove it never reaches the logs. */
export const PERSONAL_DATA_SAMPLE = computeFiscalCode({
  surname: 'Esposito',
  name: 'Giulia',
  birthDate: '1990-05-17',
  sex: 'F',
  birthPlaceCode: 'F839',
});

/** The event types the suite publishes, with valid data. */
const SAMPLES = {
  'practice.submitted': {
    practiceId: 'PR-1',
    typeCode: 'residence-change',
    office: 'anagrafe',
    applicantFiscalCode: PERSONAL_DATA_SAMPLE,
    protocolNumber: null,
    onBehalfOfFiscalCode: null,
  },
  'practice.status-changed': {
    practiceId: 'PR-1',
    typeCode: 'residence-change',
    office: 'anagrafe',
    applicantFiscalCode: PERSONAL_DATA_SAMPLE,
    from: 'submitted',
    to: 'registered',
  },
  'citizen.registered': { citizenId: 'ctz_01', fiscalCode: PERSONAL_DATA_SAMPLE },
  // critical
  'access.revoked': { reason: 'client-revoked', revokedAt: '2026-11-23T10:00:00+01:00', clientId: 'app_1' },
  // bulk
  'audit.personal-data-read': {
    service: 'anagrafe',
    actorUsername: 'anagrafe.rossi',
    actorOffices: ['anagrafe'],
    subjectFiscalCode: PERSONAL_DATA_SAMPLE,
    action: 'read',
    resources: ['Citizen.residence'],
    requestId: 'req-1',
    at: '2026-11-23T10:00:00+01:00',
  },
} satisfies { [T in EventType]?: EventDataInput<T> };

export type SampleType = keyof typeof SAMPLES;

/** A valid event of the catalogue (a fresh id each time). */
export function makeEvent(
  type: SampleType = 'practice.submitted',
  overrides: { comune?: string; subject?: string } = {},
): EventEnvelope {
  return createEvent(type, {
    comune: overrides.comune ?? '001272',
    subject: overrides.subject ?? 'PR-1',
    actor: { kind: 'citizen', id: 'ctz_01' },
    data: SAMPLES[type] as EventDataInput<typeof type>,
  });
}

/** A logger whose output the test can read. */
export function captureLogger(): { logger: BusLogger; lines: () => string[] } {
  const lines: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) });
  return { logger, lines: () => lines };
}

/** Resolves once `condition` holds, re-checking it with `vi.waitFor`; rejects naming `what` after `timeoutMs`. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  await vi.waitFor(
    () => {
      if (!condition()) throw new Error(`timed out waiting for ${what}`);
    },
    { timeout: timeoutMs, interval: 10 },
  );
}

/** Resolves after `turns` turns of the event loop: a handler taking a while, without a clock. */
async function eventLoopTurns(turns: number): Promise<void> {
  for (let turn = 0; turn < turns; turn++) await new Promise((resolve) => setImmediate(resolve));
}

/** Records what a handler saw, by event id. */
function recorder() {
  const seen: EventEnvelope[] = [];
  return {
    seen,
    ids: () => seen.map((event) => event.id),
    count: (id: string) => seen.filter((event) => event.id === id).length,
    handler: async (event: EventEnvelope) => void seen.push(event),
  };
}

/**
 * The behaviour every `EventBus` adapter must have. Run it once per adapter with a fixture factory.
 */
export function eventBusContract(adapter: string, setup: () => Promise<BusFixture>): void {
  describe(`EventBus contract: ${adapter}`, () => {
    let fixture: BusFixture;
    let bus: EventBus;
    /** A final event every consumer in a test also matches: once it arrives, everything before it has. */
    let sentinel: EventEnvelope;
    let sentinelPattern: string;

    beforeEach(async () => {
      fixture = await setup();
      bus = await fixture.open();
      sentinel = makeEvent('citizen.registered', { comune: '999999' });
      sentinelPattern = `${fixture.root}.999999.>`;
    });

    afterEach(async () => {
      await bus.close();
      await fixture.teardown();
    });

    it('delivers a published event to a durable consumer, intact', async () => {
      const r = recorder();
      await bus.consume({ name: 'round-trip', subjects: [`${fixture.root}.>`] }, r.handler);
      const event = makeEvent('practice.status-changed');

      await bus.publish(event);

      await waitFor(() => r.seen.length === 1, 'the event');
      expect(r.seen[0]).toEqual(event);
    });

    it('matches subjects with NATS wildcards: * is one token, > is the tail', async () => {
      const byComune = recorder();
      const submittedAnywhere = recorder();
      const tooShort = recorder();
      await bus.consume(
        { name: 'by-comune', subjects: [`${fixture.root}.001272.>`, sentinelPattern] },
        byComune.handler,
      );
      await bus.consume(
        {
          name: 'submitted-anywhere',
          subjects: [subjectPattern({ type: 'practice.submitted' }, fixture.root), sentinelPattern],
        },
        submittedAnywhere.handler,
      );
      await bus.consume(
        { name: 'too-short', subjects: [`${fixture.root}.*.practices`, sentinelPattern] },
        tooShort.handler,
      );

      const a = makeEvent('practice.submitted', { comune: '001272' });
      const b = makeEvent('citizen.registered', { comune: '001272' });
      const c = makeEvent('practice.submitted', { comune: '015146' });
      const d = makeEvent('practice.status-changed', { comune: '015146' });
      for (const event of [a, b, c, d, sentinel]) await bus.publish(event);

      await waitFor(
        () => [byComune, submittedAnywhere, tooShort].every((r) => r.ids().includes(sentinel.id)),
        'the sentinel on every consumer',
      );
      expect(byComune.ids()).toEqual([a.id, b.id, sentinel.id]);
      expect(submittedAnywhere.ids()).toEqual([a.id, c.id, sentinel.id]);
      expect(tooShort.ids()).toEqual([sentinel.id]);
    });

    it('rejects malformed subject patterns and events with a message naming the bad part', async () => {
      await expect(
        bus.consume({ name: 'bad', subjects: [`${fixture.root}.>.x`] }, async () => {}),
      ).rejects.toThrow(/">" is only allowed as the last token/);
      await expect(bus.publish({ ...makeEvent(), comune: 'rome' })).rejects.toThrow(/comune/);
      await expect(bus.publish({ ...makeEvent(), type: 'practice.vanished' })).rejects.toThrow(/catalogue/);
    });

    it('handles an event id published twice only once', async () => {
      const r = recorder();
      await bus.consume({ name: 'dedupe', subjects: [`${fixture.root}.>`] }, r.handler);
      const event = makeEvent();

      await bus.publish(event);
      await bus.publish({ ...event });
      await Promise.all([bus.publish(sentinel), bus.publish(sentinel)]);
      // One consumer, one event subject: in publish order, so a repeat of either would come before it.
      const last = makeEvent();
      await bus.publish(last);

      await waitFor(() => r.ids().includes(last.id), 'the event published last');
      expect(r.count(event.id)).toBe(1);
      expect(r.count(sentinel.id)).toBe(1);
    });

    it('redelivers an event whose handler throws until it succeeds, keeping later events behind it', async () => {
      const attempts: string[] = [];
      const handled: string[] = [];
      const first = makeEvent('practice.submitted', { subject: 'PR-7' });
      const second = makeEvent('practice.status-changed', { subject: 'PR-7' });
      await bus.consume(
        { name: 'flaky', subjects: [`${fixture.root}.>`], backoffMs: [20, 40] },
        async (event) => {
          attempts.push(event.id);
          if (event.id === first.id && attempts.length < 3) throw new Error('downstream unavailable');
          handled.push(event.id);
        },
      );

      await Promise.all([bus.publish(first), bus.publish(second)]);

      await waitFor(() => handled.length === 2, 'both events handled');
      expect(attempts).toEqual([first.id, first.id, first.id, second.id]);
      expect(handled).toEqual([first.id, second.id]);
    });

    it('skips a poison event after maxDeliver attempts, logs it without personal data, and moves on', async () => {
      await bus.close();
      const { logger, lines } = captureLogger();
      bus = await fixture.open(logger);
      const poison = makeEvent();
      const next = makeEvent();
      const attempts: string[] = [];
      await bus.consume(
        { name: 'poisoned', subjects: [`${fixture.root}.>`], maxDeliver: 3, backoffMs: [10] },
        async (event) => {
          attempts.push(event.id);
          if (event.id === poison.id) throw new Error('cannot handle this one');
        },
      );

      await Promise.all([bus.publish(poison), bus.publish(next)]);

      await waitFor(() => attempts.includes(next.id), 'the event after the poison one');
      expect(attempts).toEqual([poison.id, poison.id, poison.id, next.id]);
      const poisonLog = lines().find((line) => line.includes('poison'));
      expect(poisonLog).toContain(poison.id);
      expect(lines().join('\n')).not.toContain(PERSONAL_DATA_SAMPLE);
    });

    it('keeps the order of events on one subject, whatever the handler timing', async () => {
      const r = recorder();
      const events = Array.from({ length: 30 }, (_, i) =>
        makeEvent(i % 2 ? 'practice.status-changed' : 'practice.submitted', { subject: 'PR-9' }),
      );
      const position = new Map(events.map((event, index) => [event.id, index]));
      await bus.consume({ name: 'ordered', subjects: [`${fixture.root}.>`] }, async (event) => {
        // The earlier an event, the longer its handler takes: run side by side, later ones would finish first.
        await eventLoopTurns(events.length - (position.get(event.id) ?? 0));
        await r.handler(event);
      });

      await Promise.all(events.map((event) => bus.publish(event)));

      await waitFor(() => r.seen.length === events.length, 'every event');
      expect(r.ids()).toEqual(events.map((event) => event.id));
    });

    it('handles events of different subjects side by side, never two of one subject, in order per subject', async () => {
      const seen = new Map<string, string[]>();
      const busy = new Set<string>();
      const overlaps: string[] = [];
      let concurrent = 0;
      let most = 0;
      let open!: () => void;
      const together = new Promise<void>((resolve) => (open = resolve));
      await bus.consume(
        { name: 'parallel', subjects: [`${fixture.root}.>`], concurrency: 4 },
        async (event) => {
          if (busy.has(event.subject)) overlaps.push(event.subject);
          busy.add(event.subject);
          concurrent += 1;
          most = Math.max(most, concurrent);
          // Held until four run at once: a consumer handling one at a time never gets there.
          if (concurrent === 4) open();
          await together;
          seen.set(event.subject, [...(seen.get(event.subject) ?? []), event.id]);
          concurrent -= 1;
          busy.delete(event.subject);
        },
      );
      const events = Array.from({ length: 30 }, (_, i) =>
        makeEvent(i < 6 ? 'practice.submitted' : 'practice.status-changed', { subject: `PR-${i % 6}` }),
      );

      await Promise.all(events.map((event) => bus.publish(event)));

      await waitFor(() => [...seen.values()].flat().length === events.length, 'every event');
      expect(most).toBe(4);
      expect(overlaps).toEqual([]);
      for (let s = 0; s < 6; s++) {
        expect(seen.get(`PR-${s}`)).toEqual(
          events.filter((event) => event.subject === `PR-${s}`).map((event) => event.id),
        );
      }
    });

    it('with several in flight, a failing event holds back only the later events of its subject', async () => {
      const failing = makeEvent('practice.submitted', { subject: 'PR-F' });
      const after = makeEvent('practice.status-changed', { subject: 'PR-F' });
      const other = makeEvent('practice.submitted', { subject: 'PR-O' });
      let attempts = 0;
      const handled: string[] = [];
      await bus.consume(
        { name: 'retry-parallel', subjects: [`${fixture.root}.>`], concurrency: 4, backoffMs: [100] },
        async (event) => {
          if (event.id === failing.id && ++attempts < 3) throw new Error('downstream unavailable');
          handled.push(event.id);
        },
      );

      await Promise.all([bus.publish(failing), bus.publish(after), bus.publish(other)]);

      await waitFor(() => handled.length === 3, 'the three events');
      expect(attempts).toBe(3);
      expect(handled).toEqual([other.id, failing.id, after.id]);
    });

    it('with lanes, a backlog of bulk events does not hold back a critical one', async () => {
      let releaseBulk!: () => void;
      const bulkHeld = new Promise<void>((resolve) => (releaseBulk = resolve));
      const handled: string[] = [];
      const consumer = await bus.consume(
        { name: 'laned', subjects: [`${fixture.root}.>`], lanes: true },
        async (event) => {
          if (event.type === 'audit.personal-data-read') await bulkHeld;
          handled.push(event.id);
        },
      );
      const bulk = Array.from({ length: 20 }, (_, i) =>
        makeEvent('audit.personal-data-read', { subject: `req-${i}` }),
      );
      const critical = makeEvent('access.revoked', { subject: 'app_1' });
      const interactive = makeEvent('practice.submitted', { subject: 'PR-L' });

      // Published in this order: the bulk backlog first.
      const published = Promise.all([...bulk, critical, interactive].map((event) => bus.publish(event)));

      await waitFor(
        () => handled.includes(critical.id) && handled.includes(interactive.id),
        'the critical and interactive events',
      );
      expect(handled).toHaveLength(2);
      const lanes = await consumer.stats?.();
      expect(lanes?.map((lane) => lane.lane).sort()).toEqual(['bulk', 'critical', 'interactive']);
      releaseBulk();
      await published;
      await waitFor(() => handled.length === 22, 'every event');
      expect(handled.slice(2)).toEqual(bulk.map((event) => event.id));
    });

    it('with lanes, each lane has its own concurrency: bulk events one at a time beside two critical ones', async () => {
      const running = { critical: 0, bulk: 0 };
      const most = { critical: 0, bulk: 0 };
      let open!: () => void;
      const twoCritical = new Promise<void>((resolve) => (open = resolve));
      const handled: string[] = [];
      await bus.consume(
        {
          name: 'lane-concurrency',
          subjects: [`${fixture.root}.>`],
          lanes: true,
          concurrency: { critical: 2, bulk: 1 },
        },
        async (event) => {
          const lane = event.type === 'access.revoked' ? 'critical' : 'bulk';
          running[lane] += 1;
          most[lane] = Math.max(most[lane], running[lane]);
          if (lane === 'critical' && running.critical === 2) open();
          if (lane === 'critical') await twoCritical;
          running[lane] -= 1;
          handled.push(event.id);
        },
      );
      const events = [
        ...Array.from({ length: 4 }, (_, i) => makeEvent('access.revoked', { subject: `app_${i}` })),
        ...Array.from({ length: 4 }, (_, i) =>
          makeEvent('audit.personal-data-read', { subject: `read-${i}` }),
        ),
      ];

      await Promise.all(events.map((event) => bus.publish(event)));

      await waitFor(() => handled.length === events.length, 'every event');
      expect(most).toEqual({ critical: 2, bulk: 1 });
    });

    it('feeds live listeners from now on; a failing or slow listener blocks no one', async () => {
      const before = makeEvent();
      await bus.publish(before);
      const consumed = recorder();
      await bus.consume(
        { name: 'beside-listeners', subjects: [`${fixture.root}.001272.>`] },
        consumed.handler,
      );
      const live: string[] = [];
      await bus.listen(`${fixture.root}.001272.>`, () => {
        throw new Error('listener bug');
      });
      await bus.listen([`${fixture.root}.001272.>`], (event) => void live.push(event.id));
      const otherComune: string[] = [];
      await bus.listen(`${fixture.root}.015146.>`, (event) => void otherComune.push(event.id));

      const events = [makeEvent(), makeEvent(), makeEvent()];
      for (const event of events) await bus.publish(event);

      const consumedAll = () => events.every((event) => consumed.ids().includes(event.id));
      await waitFor(() => live.length === 3 && consumedAll(), 'listeners and consumer');
      expect(live).toEqual(events.map((event) => event.id));
      expect(consumed.ids().filter((id) => id !== before.id)).toEqual(events.map((event) => event.id));
      expect(otherComune).toEqual([]);
    });

    it('stops delivering to a stopped consumer and listener', async () => {
      const r = recorder();
      const live: string[] = [];
      const consumer = await bus.consume({ name: 'stoppable', subjects: [`${fixture.root}.>`] }, r.handler);
      const listener = await bus.listen(`${fixture.root}.>`, (event) => void live.push(event.id));
      const first = makeEvent();
      await bus.publish(first);
      await waitFor(() => r.seen.length === 1 && live.length === 1, 'the first event');

      await consumer.stop();
      await listener.stop();
      // Witnesses take their place: the durable consumer again (its events go to one pull of it,
      // so one the stopped handler took would never reach the witness) and a fresh listener.
      const witness = recorder();
      const witnessLive: string[] = [];
      await bus.consume({ name: 'stoppable', subjects: [`${fixture.root}.>`] }, witness.handler);
      await bus.listen(`${fixture.root}.>`, (event) => void witnessLive.push(event.id));
      const second = makeEvent();
      await bus.publish(second);
      await waitFor(
        () =>
          (witness.ids().includes(second.id) && witnessLive.includes(second.id)) ||
          r.seen.length > 1 ||
          live.length > 1,
        'the witnesses (or the stopped ones) to get the event published after the stop',
      );

      expect(r.ids()).toEqual([first.id]);
      expect(live).toEqual([first.id]);
    });

    it('broadcasts to the listeners of a topic, the sender included, and to no one else', async () => {
      const usage: string[] = [];
      const other: string[] = [];
      const consumed = recorder();
      await bus.consume({ name: 'events-only', subjects: [`${fixture.root}.>`] }, consumed.handler);
      const listener = await bus.onBroadcast('rate-usage', (data) => void usage.push(decode(data)));
      await bus.onBroadcast('something-else', (data) => void other.push(decode(data)));

      bus.broadcast('rate-usage', encode('client-a:3'));
      bus.broadcast('rate-usage', encode('client-b:1'));
      await waitFor(() => usage.length === 2, 'the broadcasts');
      await listener.stop();
      const last: string[] = [];
      await bus.onBroadcast('last-one', (data) => void last.push(decode(data)));
      bus.broadcast('rate-usage', encode('client-a:9'));
      // Broadcasts of one sender arrive in order: once this one is heard, the one before has been.
      bus.broadcast('last-one', encode('done'));
      await bus.publish(sentinel);
      await waitFor(
        () => consumed.ids().includes(sentinel.id) && last.includes('done'),
        'the sentinel and the last broadcast',
      );

      expect(usage.sort()).toEqual(['client-a:3', 'client-b:1']);
      expect(other).toEqual([]);
      // Not events: no consumer of the bus's subjects ever sees them.
      expect(consumed.ids()).toEqual([sentinel.id]);
    });

    it('refuses a broadcast topic that is not one plain name, naming it', async () => {
      expect(() => bus.broadcast('rate.usage', encode('x'))).toThrow(/broadcast topic "rate.usage"/);
      await expect(bus.onBroadcast('>', () => {})).rejects.toThrow(/broadcast topic ">"/);
    });
  });
}

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);
const decode = (data: Uint8Array): string => new TextDecoder().decode(data);

import { AckPolicy, DeliverPolicy, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createConnection, createServer, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type BusLogger, type EventBus } from './event-bus.js';
import { createNatsBus } from './nats-bus.js';
import { startPrivateNatsServer } from '@sportello/test-support';
import {
  captureLogger,
  eventBusContract,
  makeEvent,
  PERSONAL_DATA_SAMPLE,
  waitFor,
  type BusFixture,
} from './test-support/event-bus-contract.js';

const SERVERS = '127.0.0.1:4222';

/**
 * A TCP relay in front of the NATS server whose connections the test can cut, as a network failure
 * would; the server itself is shared and stays up.
 */
async function flakyLink(): Promise<{ url: string; cut(): void; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = createConnection({ host: '127.0.0.1', port: 4222 });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => socket.destroy());
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const cut = () => sockets.forEach((socket) => socket.destroy());
  return {
    url: `127.0.0.1:${port}`,
    cut,
    close: async () => {
      cut();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A stream and subject root no other run shares; the stream is deleted on teardown. */
function natsFixture(servers = SERVERS, adminServers = SERVERS): BusFixture & { stream: string } {
  const suffix = randomBytes(5).toString('hex');
  const root = `bustest${suffix}`;
  const stream = `BUSTEST_${suffix}`;
  const opened: EventBus[] = [];
  return {
    root,
    stream,
    async open(logger?: BusLogger) {
      const bus = await createNatsBus({
        servers,
        stream,
        subjectRoot: root,
        duplicateWindowMs: 60_000,
        ...(logger ? { logger } : {}),
      });
      opened.push(bus);
      return bus;
    },
    async teardown() {
      await Promise.all(opened.map((bus) => bus.close()));
      const nc = await connect({ servers: adminServers });
      try {
        await (await jetstreamManager(nc)).streams.delete(stream);
      } finally {
        await nc.close();
      }
    },
  };
}

eventBusContract('NATS JetStream', async () => natsFixture());

/** A last event to publish: once it is handled, whatever was published before it has been too. */
const sentinel = () => makeEvent('citizen.registered', { subject: 'sentinel' });

const CONSUMER_CHILD = fileURLToPath(new URL('./test-support/consumer-child.ts', import.meta.url));
const PLATFORM_ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('NATS bus', () => {
  it('keeps an event whose handler outlasts the ack wait: in-progress heartbeats renew it', async () => {
    const fixture = natsFixture();
    try {
      const bus = await fixture.open();
      const deliveries: number[] = [];
      let started = 0;
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      const consumer = await bus.consume(
        { name: 'slow', subjects: [`${fixture.root}.>`], ackWaitMs: 500 },
        async () => {
          deliveries.push(Date.now());
          started ||= Date.now();
          await released;
        },
      );
      await bus.publish(makeEvent());
      // Four ack waits: without heartbeats the server would have handed the event out again by now.
      await expect
        .poll(() => started > 0 && Date.now() - started, { timeout: 10_000 })
        .toBeGreaterThan(2_000);
      release();
      await expect.poll(async () => (await consumer.stats!())[0]!.inFlight, { timeout: 5_000 }).toBe(0);

      expect(deliveries).toHaveLength(1);
      expect((await consumer.stats!())[0]!.redelivered).toBe(0);
    } finally {
      await fixture.teardown();
    }
  });

  it.each([false, true])(
    'hands the events a killed process held to the next one within the short ack wait (lanes: %s)',
    async (lanes) => {
      const fixture = natsFixture();
      const config = { servers: SERVERS, stream: fixture.stream, root: fixture.root, name: 'recovering' };
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          '--conditions=source',
          CONSUMER_CHILD,
          JSON.stringify({ ...config, ackWaitMs: 1_000, lanes }),
        ],
        { cwd: PLATFORM_ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
      );
      let output = '';
      child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      try {
        await expect.poll(() => output, { timeout: 30_000 }).toContain('ready');
        const bus = await fixture.open();
        const events = [
          makeEvent('practice.submitted', { subject: 'PR-1' }),
          makeEvent('access.revoked', { subject: 'app_1' }),
        ];
        for (const event of events) await bus.publish(event);
        await expect
          .poll(() => events.every((event) => output.includes(`handling ${event.id}`)), { timeout: 10_000 })
          .toBe(true);

        child.kill('SIGKILL');
        await new Promise((resolve) => child.once('exit', resolve));
        const killedAt = Date.now();
        const handled = new Map<string, number>();
        await bus.consume(
          { name: 'recovering', subjects: [`${fixture.root}.>`], ackWaitMs: 1_000, lanes, concurrency: 4 },
          async (event) => void handled.set(event.id, Date.now() - killedAt),
        );

        await expect.poll(() => handled.size, { timeout: 15_000 }).toBe(2);
        // The ack wait (1 s) plus the server's redelivery check: seconds, not minutes.
        expect(Math.max(...handled.values())).toBeLessThan(5_000);
      } finally {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        await fixture.teardown();
      }
    },
  );

  it('moves a single durable consumer to one per lane where it had got to: nothing missed, nothing replayed', async () => {
    const fixture = natsFixture();
    try {
      const bus = await fixture.open();
      const seen: string[] = [];
      const single = await bus.consume(
        { name: 'splitting', subjects: [`${fixture.root}.>`] },
        async (event) => {
          seen.push(event.id);
        },
      );
      const before = [makeEvent(), makeEvent('access.revoked')];
      for (const event of before) await bus.publish(event);
      await waitFor(() => seen.length === 2, 'the events before the split');
      await single.stop();
      const during = [makeEvent('audit.personal-data-read'), makeEvent('access.revoked')];
      for (const event of during) await bus.publish(event);

      const laned = await bus.consume(
        { name: 'splitting', subjects: [`${fixture.root}.>`], lanes: true },
        async (event) => void seen.push(event.id),
      );
      await waitFor(() => seen.length === 4, 'the events published meanwhile');
      expect(seen.slice(2).sort()).toEqual(during.map((event) => event.id).sort());
      expect((await laned.stats!()).map((lane) => lane.lane).sort()).toEqual([
        'bulk',
        'critical',
        'interactive',
      ]);
      const nc = await connect({ servers: SERVERS });
      try {
        const names: string[] = [];
        for await (const info of (await jetstreamManager(nc)).consumers.list(fixture.stream)) {
          names.push(info.name);
        }
        expect(names.sort()).toEqual(['splitting-bulk', 'splitting-critical', 'splitting-interactive']);
      } finally {
        await nc.close();
      }
    } finally {
      await fixture.teardown();
    }
  });

  it('moves a single durable consumer that never acknowledged anything to lanes from where it was told to start', async () => {
    const fixture = natsFixture();
    try {
      const bus = await fixture.open();
      const old = makeEvent();
      await bus.publish(old);
      const nc = await connect({ servers: SERVERS });
      try {
        // What a deployment sharing a stream does: its consumer reads from now on, not the backlog.
        await (
          await jetstreamManager(nc)
        ).consumers.add(fixture.stream, {
          durable_name: 'from-now',
          ack_policy: AckPolicy.Explicit,
          deliver_policy: DeliverPolicy.StartTime,
          opt_start_time: new Date().toISOString(),
        });
      } finally {
        await nc.close();
      }
      const fresh = makeEvent('access.revoked', { subject: 'app_9' });
      await bus.publish(fresh);

      const seen: string[] = [];
      await bus.consume({ name: 'from-now', subjects: [`${fixture.root}.>`], lanes: true }, async (event) => {
        seen.push(event.id);
      });
      await waitFor(() => seen.includes(fresh.id), 'the event published after the start');
      await bus.publish(sentinel());
      // Interactive like the old event: had the old one been replayed, it would come before it.
      await waitFor(() => seen.length === 2, 'the sentinel');
      expect(seen).not.toContain(old.id);
    } finally {
      await fixture.teardown();
    }
  });

  it('is ready while NATS answers, and says so when it does not', async () => {
    const server = await startPrivateNatsServer();
    try {
      const fixture = natsFixture(server.url, server.url);
      const bus = await fixture.open();
      await expect(bus.ready!()).resolves.toBeUndefined();
      const readiness = () =>
        bus.ready!().then(
          () => 'ready',
          (error: Error) => error.message,
        );

      await server.stop();
      await expect.poll(readiness, { timeout: 10_000 }).toMatch(/NATS/);

      server.start();
      await expect.poll(readiness, { timeout: 20_000 }).toBe('ready');
      await bus.close();
    } finally {
      await server.dispose();
    }
  });

  it('broadcasts between processes, on core NATS: nothing is stored in the stream', async () => {
    const fixture = natsFixture();
    try {
      const [first, second] = [await fixture.open(), await fixture.open()];
      const heard: Array<[string, string]> = [];
      for (const [name, bus] of [
        ['first', first],
        ['second', second],
      ] as const) {
        await bus.onBroadcast('replicas', (data) => void heard.push([name, new TextDecoder().decode(data)]));
      }

      first.broadcast('replicas', new TextEncoder().encode('from first'));
      second.broadcast('replicas', new TextEncoder().encode('from second'));
      await waitFor(() => heard.length === 4, 'both broadcasts in both processes');

      expect(heard.sort()).toEqual([
        ['first', 'from first'],
        ['first', 'from second'],
        ['second', 'from first'],
        ['second', 'from second'],
      ]);
      const nc = await connect({ servers: SERVERS });
      try {
        const info = await (await jetstreamManager(nc)).streams.info(fixture.stream);
        expect(info.state.messages).toBe(0);
      } finally {
        await nc.close();
      }
    } finally {
      await fixture.teardown();
    }
  });

  it('updates a durable consumer started again with other settings, and keeps consuming', async () => {
    const fixture = natsFixture();
    // Several patterns, as the notifier asks for: a server older than 2.10 filters none of them.
    const subjects = [`${fixture.root}.>`, `${fixture.root}.*.identity.>`];
    try {
      const seen: string[] = [];
      const handler = async (event: { id: string }) => void seen.push(event.id);
      const first = await fixture.open();
      const consumer = await first.consume(
        { name: 'retuned', subjects, ackWaitMs: 30_000, maxDeliver: 10 },
        handler,
      );
      const before = makeEvent();
      await first.publish(before);
      await waitFor(() => seen.length === 1, 'the first event');
      await consumer.stop();

      // A new release of the service asks for a longer ack wait and more attempts.
      const second = await fixture.open();
      await second.consume({ name: 'retuned', subjects, ackWaitMs: 120_000, maxDeliver: 20 }, handler);
      const after = makeEvent();
      await second.publish(after);
      await waitFor(() => seen.length === 2, 'the event after the update');
      expect(seen).toEqual([before.id, after.id]);

      const nc = await connect({ servers: SERVERS });
      try {
        const info = await (await jetstreamManager(nc)).consumers.info(fixture.stream, 'retuned');
        expect(info.config.max_deliver).toBe(20);
      } finally {
        await nc.close();
      }
    } finally {
      await fixture.teardown();
    }
  });

  it('resumes a durable consumer after a close, without losing or repeating acknowledged events', async () => {
    const fixture = natsFixture();
    try {
      const seen: string[] = [];
      const handler = async (event: { id: string }) => void seen.push(event.id);
      const first = await fixture.open();
      const consumer = await first.consume({ name: 'resumable', subjects: [`${fixture.root}.>`] }, handler);
      const before = [makeEvent(), makeEvent(), makeEvent()];
      for (const event of before) await first.publish(event);
      await waitFor(() => seen.length === 3, 'the first events');
      await consumer.stop();
      await first.close();

      // Published while the consumer is down, from another process' connection.
      const publisher = await fixture.open();
      const during = [makeEvent(), makeEvent()];
      for (const event of during) await publisher.publish(event);

      const second = await fixture.open();
      await second.consume({ name: 'resumable', subjects: [`${fixture.root}.>`] }, handler);
      const after = makeEvent();
      await publisher.publish(after);
      await waitFor(() => seen.length >= 6, 'the resumed events');
      // Nothing more (no redelivery): a last event comes right after the six, in order.
      const marker = makeEvent();
      await publisher.publish(marker);
      await waitFor(() => seen.includes(marker.id), 'the last event');
      expect(seen).toEqual([...before, ...during, after, marker].map((event) => event.id));
    } finally {
      await fixture.teardown();
    }
  });

  it('resumes consumers and listeners by itself after the connection drops, even mid-ack', async () => {
    const link = await flakyLink();
    const fixture = natsFixture(link.url);
    const { logger, lines } = captureLogger();
    try {
      const bus = await fixture.open(logger);
      const consumed: string[] = [];
      const live: string[] = [];
      await bus.consume({ name: 'survivor', subjects: [`${fixture.root}.>`] }, async (event) => {
        // The first event's ack goes out while the link is down.
        if (consumed.length === 0) link.cut();
        consumed.push(event.id);
      });
      await bus.listen(`${fixture.root}.>`, (event) => void live.push(event.id));
      const before = makeEvent();
      await bus.publish(before);
      await waitFor(
        () => lines().some((line) => line.includes('"status":"disconnect"')),
        'the disconnection',
      );

      const direct = await createNatsBus({
        servers: SERVERS,
        stream: fixture.stream,
        subjectRoot: fixture.root,
      });
      const whileDown = [makeEvent(), makeEvent()];
      for (const event of whileDown) await direct.publish(event);
      await direct.close();
      await waitFor(() => consumed.length >= 3 && live.length >= 3, 'the events published while cut off');

      const after = makeEvent();
      await bus.publish(after);
      await waitFor(() => consumed.length >= 4 && live.length >= 4, 'an event after the reconnection');
      // Nothing more (no redelivery): a last event comes right after these, in order.
      const marker = makeEvent();
      await bus.publish(marker);
      await waitFor(() => consumed.includes(marker.id) && live.includes(marker.id), 'the last event');
      const expected = [before, ...whileDown, after, marker].map((event) => event.id);
      expect(consumed).toEqual(expected);
      expect(live).toEqual(expected);
      expect(lines().some((line) => line.includes('"status":"reconnect"'))).toBe(true);
    } finally {
      await fixture.teardown();
      await link.close();
    }
  }, 40_000);

  it('drops a republished event id across connections (the relay restarting)', async () => {
    const fixture = natsFixture();
    try {
      const event = makeEvent();
      const relayBeforeCrash = await fixture.open();
      await relayBeforeCrash.publish(event);
      await relayBeforeCrash.close();
      const relayAfterRestart = await fixture.open();
      await relayAfterRestart.publish(event);

      const seen: string[] = [];
      const sentinel = makeEvent();
      await relayAfterRestart.publish(sentinel);
      await relayAfterRestart.consume(
        { name: 'after-restart', subjects: [`${fixture.root}.>`] },
        async (e) => {
          seen.push(e.id);
        },
      );
      await waitFor(() => seen.includes(sentinel.id), 'the sentinel');
      expect(seen).toEqual([event.id, sentinel.id]);
    } finally {
      await fixture.teardown();
    }
  });

  it('terminates a malformed message (logged without its content) and goes on', async () => {
    const fixture = natsFixture();
    const { logger, lines } = captureLogger();
    const nc = await connect({ servers: SERVERS });
    try {
      const bus = await fixture.open(logger);
      const seen: string[] = [];
      const attempts = { malformed: 0 };
      await bus.consume(
        { name: 'strict', subjects: [`${fixture.root}.>`], backoffMs: [10] },
        async (event) => {
          seen.push(event.id);
        },
      );
      const subject = `${fixture.root}.001272.practices.practice.submitted`;
      const garbage = JSON.stringify({ id: 'not-a-uuid', data: { applicant: PERSONAL_DATA_SAMPLE } });
      await nc.request(subject, garbage);
      await nc.request(subject, 'not json at all');
      // A well-formed envelope whose data breaks the catalogue (the fiscal code is not one).
      const wrongData = {
        ...makeEvent(),
        data: { practiceId: 'PR-1', applicantFiscalCode: `${PERSONAL_DATA_SAMPLE}X` },
      };
      await nc.request(subject, JSON.stringify(wrongData));
      const good = makeEvent();
      await bus.publish(good);

      await waitFor(() => seen.includes(good.id), 'the good event');
      const malformed = lines().filter((line) => line.includes('malformed event terminated'));
      attempts.malformed = malformed.length;
      expect(attempts.malformed).toBe(3);
      expect(malformed[0]).toMatch(/"reason":"unknown type: id, type/);
      expect(malformed[2]).toMatch(
        /"reason":"practice.submitted: data.typeCode, data.office, data.applicantFiscalCode/,
      );
      expect(lines().join('\n')).not.toContain(PERSONAL_DATA_SAMPLE);
    } finally {
      await nc.close();
      await fixture.teardown();
    }
  });

  it('creates the stream with file storage and the configured duplicate window, and keeps it on reopen', async () => {
    const fixture = natsFixture();
    const nc = await connect({ servers: SERVERS });
    try {
      const bus = await fixture.open();
      await bus.publish(makeEvent());
      await bus.close();
      await fixture.open();
      const info = await (await jetstreamManager(nc)).streams.info(fixture.stream);
      expect(info.config.storage).toBe('file');
      expect(info.config.duplicate_window).toBe(60_000 * 1_000_000);
      expect(info.config.subjects).toEqual([`${fixture.root}.>`]);
      expect(info.state.messages).toBe(1);
    } finally {
      await nc.close();
      await fixture.teardown();
    }
  });
});

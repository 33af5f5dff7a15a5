import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import {
  createForegroundGate,
  createInProcessBus,
  createNatsBus,
  type ForegroundGate,
  type EventBus,
  type StaffPrincipal,
  type TokenVerifier,
} from '@sportello/platform';
import { type TestIssuer, startPrivateNatsServer } from '@sportello/test-support';
import { busSubjectPattern, computeFiscalCode, createEvent, type EventEnvelope } from '@sportello/schema';
import { GraphQLError } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { type GatewayConfigInput } from '../config.js';
import { createGateway, type GatewayHandle } from '../gateway.js';
import { PUBLIC_DATA_EVENTS } from '../public-data/invalidation.js';
import {
  captureLogger,
  type FixtureTopology,
  startFixtureTopology,
  startFixtureWorld,
} from '../test-support/fixture-subgraphs.js';
import { SLOW_CONSUMER_CLOSE_CODE, TOKEN_EXPIRED_CLOSE_CODE } from './live-subscriptions.js';
import { type SubscriptionBindings } from './subscription-binding.js';

const ROMA = '058091';
const MILANO = '015146';

/** Time-ordered UUID (v7), as the envelope requires. */
function uuidv7(): string {
  const bytes = randomBytes(16);
  const now = BigInt(Date.now());
  for (let i = 0; i < 6; i += 1) bytes[i] = Number((now >> BigInt(8 * (5 - i))) & 0xffn);
  bytes[6] = (bytes[6]! & 0x0f) | 0x70;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function practiceEvent(comune: string): EventEnvelope {
  const practiceId = randomUUID();
  return createEvent('practice.submitted', {
    comune,
    subject: practiceId,
    actor: null,
    data: {
      practiceId,
      typeCode: 'occupazione-suolo-pubblico',
      office: 'suap',
      applicantFiscalCode: computeFiscalCode({
        surname: 'Esposito',
        name: 'Giulia',
        birthDate: '1990-05-17',
        sex: 'F',
        birthPlaceCode: 'F839',
      }),
      protocolNumber: null,
      onBehalfOfFiscalCode: null,
    },
  });
}

function alertIssued(comune: string, alertId: string, zone: string): EventEnvelope {
  const now = Date.now();
  return {
    id: uuidv7(),
    type: 'alert.issued',
    version: 1,
    occurredAt: new Date(now).toISOString(),
    comune,
    subject: alertId,
    actor: { kind: 'staff', id: 'ops' },
    data: {
      alertId,
      hazard: 'hydraulic',
      colour: 'red',
      zones: [zone],
      validFrom: new Date(now).toISOString(),
      validTo: new Date(now + 3_600_000).toISOString(),
      critical: true,
    },
  };
}

/** Alerts of the subscriber's comune, optionally of one zone. */
const bindings: SubscriptionBindings = {
  alertIssued: {
    admit: ({ principal }) => {
      if (principal.kind === 'anonymous') {
        throw new GraphQLError(`Sign in to follow alerts (comune "${principal.comune}")`, {
          extensions: { code: 'UNAUTHENTICATED' },
        });
      }
    },
    subjects: () => ['sportello.*.civil-protection.alert.issued'],
    authorize: (event, { args, principal }) => {
      if (principal.kind === 'anonymous' || event.comune !== principal.comune) return false;
      const zones = (event.data as { zones: string[] }).zones;
      return typeof args['zone'] !== 'string' || zones.includes(args['zone']);
    },
    lookup: (event) => ({ field: 'alert', args: { id: event.subject } }),
  },
};

let topology: FixtureTopology;
let issuer: TestIssuer;
let verifier: TokenVerifier;
let bus: EventBus;
let listens: number;
let stops: number;
const gateways: GatewayHandle[] = [];
const clients: Client[] = [];

const staff = (comune: string): StaffPrincipal => ({
  kind: 'staff',
  comune,
  username: 'ops',
  offices: ['civil-protection'],
  tokenId: randomUUID(),
});

beforeAll(async () => {
  ({ topology, issuer, verifier } = await startFixtureWorld());
});
afterEach(async () => {
  for (const client of clients.splice(0)) await client.dispose();
  await Promise.all(gateways.splice(0).map((gateway) => gateway.close()));
  await bus.close();
});
afterAll(async () => {
  await topology.close();
});

async function start(
  overrides: Partial<GatewayConfigInput> = {},
  foreground?: ForegroundGate,
  log = captureLogger(),
  subscriptions: SubscriptionBindings = bindings,
): Promise<GatewayHandle> {
  const real = createInProcessBus(foreground ? { foreground } : {});
  listens = 0;
  stops = 0;
  // The real in-process bus, counting the listeners the gateway opens and stops on it for
  // subscriptions (not the ones that keep the public response cache fresh and hear revocations).
  const ownSubjects = [
    JSON.stringify(PUBLIC_DATA_EVENTS.map((type) => busSubjectPattern({ type }))),
    JSON.stringify(busSubjectPattern({ type: 'access.revoked' })),
  ];
  bus = {
    ...real,
    listen: async (subjects, handler) => {
      const consumer = await real.listen(subjects, handler);
      if (ownSubjects.includes(JSON.stringify(subjects))) return consumer;
      listens += 1;
      return { stop: () => ((stops += 1), consumer.stop()) };
    },
    close: () => real.close(),
  };
  const gateway = await createGateway(
    { supergraphSdl: topology.supergraphSdl, subgraphUrls: topology.subgraphUrls, ...overrides },
    {
      verifier,
      logger: log.logger,
      bus,
      subscriptions,
      ...(foreground ? { foreground } : {}),
    },
  );
  gateways.push(gateway);
  await gateway.listen(0);
  return gateway;
}

interface Subscriber {
  results: unknown[];
  closed: Promise<number>;
}

function connect(
  gateway: GatewayHandle,
  authorization?: string,
): { client: Client; closed: Promise<number> } {
  let onClosed: (code: number) => void = () => undefined;
  const closed = new Promise<number>((resolve) => (onClosed = resolve));
  const client = createClient({
    url: gateway.url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: false,
    onNonLazyError: () => undefined,
    connectionParams: authorization ? { authorization } : {},
    on: { closed: (event) => onClosed((event as { code: number }).code) },
  });
  clients.push(client);
  return { client, closed };
}

function subscribe(client: Client, query: string, closed: Promise<number>): Subscriber {
  const results: unknown[] = [];
  client.subscribe(
    { query },
    { next: (value) => void results.push(value), error: () => undefined, complete: () => undefined },
  );
  return { results, closed };
}

async function until(condition: () => boolean, what: string, timeout = 15_000): Promise<void> {
  await expect.poll(condition, { timeout, interval: 20, message: `waiting for ${what}` }).toBe(true);
}

const openSubscriptions = async (gateway: GatewayHandle) =>
  (await gateway.metrics.openSubscriptions.get()).values[0]?.value ?? 0;

describe('live subscriptions over graphql-ws', () => {
  it('deliver updates while callers’ operations fill every turn and wait in line', async () => {
    const gateway = await start({
      limits: {
        maxConcurrentOperations: 1,
        maxQueuedOperations: 10,
        maxQueueWaitMs: 60_000,
        subgraphTimeoutMs: 60_000,
        requestTimeoutMs: 60_000,
      },
    });
    const token = await issuer.bearer(staff(ROMA));
    const ask = (query: string) =>
      fetch(gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: token },
        body: JSON.stringify({ query }),
      }).then((response) => response.status);
    const { client, closed } = connect(gateway, token);
    const subscriber = subscribe(client, 'subscription { alertIssued { id colour } }', closed);
    await expect.poll(() => openSubscriptions(gateway)).toBe(1);

    let held = 'running';
    const running = ask('{ held(gate: "turns-taken") }').finally(() => (held = 'ended'));
    await topology.gates.arrived('turns-taken');
    const waiting = ask('{ me { id } }');
    topology.alerts.set('al-turns', { id: 'al-turns', colour: 'orange' });
    await bus.publish(alertIssued(ROMA, 'al-turns', 'Z1'));
    await until(() => subscriber.results.length === 1, 'the update, with the only turn taken');
    expect(subscriber.results).toEqual([{ data: { alertIssued: { id: 'al-turns', colour: 'orange' } } }]);
    // Delivered while the only turn was still taken, not once it was given back.
    expect(held).toBe('running');

    topology.gates.open('turns-taken');
    expect([await running, await waiting]).toEqual([200, 200]);
  });

  it('resolves each bus event with the selected fields from every subgraph, only for subscribers who may see it', async () => {
    const gateway = await start();
    topology.alerts.set('al-1', { id: 'al-1', colour: 'red' });
    const query = 'subscription Alerts { alertIssued(zone: "Z1") { id colour seenBy acknowledgements } }';
    const roma = connect(gateway, await issuer.bearer(staff(ROMA)));
    const romaToo = connect(gateway, await issuer.bearer(staff(ROMA)));
    const milano = connect(gateway, await issuer.bearer(staff(MILANO)));
    const subscribers = [roma, romaToo, milano].map(({ client, closed }) => subscribe(client, query, closed));
    await expect.poll(() => openSubscriptions(gateway)).toBe(3);
    // Identical subscriptions share one bus listener.
    expect(listens).toBe(1);

    await bus.publish(alertIssued(ROMA, 'al-1', 'Z2')); // another zone: nobody asked
    await bus.publish(alertIssued(ROMA, 'al-1', 'Z1'));
    await until(
      () => subscribers[0]!.results.length === 1 && subscribers[1]!.results.length === 1,
      'both Roma subscribers',
    );
    const expected = {
      data: { alertIssued: { id: 'al-1', colour: 'red', seenBy: 'token holder', acknowledgements: 4 } },
    };
    expect(subscribers[0]!.results).toEqual([expected]);
    expect(subscribers[1]!.results).toEqual([expected]);
    await bus.publish(alertIssued(MILANO, 'al-1', 'Z9')); // Milano, but not the zone asked
    // Events reach a listener in order: once the next one (for Milano's subscriber) has arrived,
    // the one before is known to have been passed over.
    topology.alerts.set('al-2', { id: 'al-2', colour: 'yellow' });
    await bus.publish(alertIssued(MILANO, 'al-2', 'Z1'));
    await until(() => subscribers[2]!.results.length > 0, 'the Milano subscriber');
    expect(subscribers[2]!.results).toEqual([
      {
        data: { alertIssued: { id: 'al-2', colour: 'yellow', seenBy: 'token holder', acknowledgements: 4 } },
      },
    ]);
    expect(subscribers[0]!.results).toHaveLength(1);

    for (const client of clients) await client.dispose();
    await expect.poll(() => openSubscriptions(gateway)).toBe(0);
    expect(stops).toBe(1);
    const metrics = await gateway.metrics.registry.metrics();
    expect(metrics).toContain('sportello_gateway_open_subscriptions 0');
  });

  it('refuses a bad token at connection, reports bad subscriptions, and serves queries on the same socket', async () => {
    const gateway = await start({ limits: { maxDepth: 3 }, maxSubscriptionsPerConnection: 2 });
    const bad = connect(gateway, `Bearer ${await issuer.badToken('expired', staff(ROMA))}`);
    expect(await bad.closed).toBe(4403);

    const good = connect(gateway, await issuer.bearer(staff(ROMA)));
    const outcome = (query: string) =>
      new Promise<unknown>((resolve) => {
        good.client.subscribe({ query }, { next: resolve, error: resolve, complete: () => undefined });
      });
    expect(await outcome('subscription { alertRevoked { id } }')).toEqual([
      expect.objectContaining({
        message: 'Cannot query field "alertRevoked" on type "Subscription". Did you mean "alertIssued"?',
      }),
    ]);
    expect(
      await outcome('subscription { alertIssued { id } } subscription Two { alertIssued { id } }'),
    ).toEqual([
      expect.objectContaining({ message: 'This anonymous operation must be the only defined operation.' }),
    ]);
    expect(await outcome('{ me { friends { friends { friends { id } } } } }')).toEqual([
      {
        message: 'Query depth 5 exceeds the limit of 3 (maxDepth)',
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit: { name: 'maxDepth', max: 3, actual: 5 } },
      },
    ]);
    expect(await outcome('{ me { id } }')).toEqual({ data: { me: { id: '1' } } });
    expect(listens).toBe(0);

    good.client.subscribe(
      { query: 'subscription { alertIssued { id } }' },
      { next: () => undefined, error: () => undefined, complete: () => undefined },
    );
    good.client.subscribe(
      { query: 'subscription { alertIssued(zone: "Z1") { id } }' },
      { next: () => undefined, error: () => undefined, complete: () => undefined },
    );
    await expect.poll(() => openSubscriptions(gateway)).toBe(2);
    expect(await outcome('subscription { alertIssued(zone: "Z2") { id } }')).toEqual([
      {
        message: 'This connection already has 2 subscriptions, the limit (maxSubscriptionsPerConnection)',
        extensions: { code: 'RATE_LIMITED', limit: { name: 'maxSubscriptionsPerConnection', max: 2 } },
      },
    ]);
  });

  it('refuses a subscriber its binding does not admit before listening, naming the reason', async () => {
    const gateway = await start();
    const client = createClient({
      url: gateway.url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams: { comune: ROMA },
    });
    clients.push(client);
    const error = await new Promise<unknown>((resolve) => {
      client.subscribe(
        { query: 'subscription { alertIssued { id } }' },
        { next: resolve, error: resolve, complete: () => undefined },
      );
    });
    // The anonymous subscriber carries the comune its connection named.
    expect(error).toEqual([
      expect.objectContaining({
        message: `Sign in to follow alerts (comune "${ROMA}")`,
        extensions: { code: 'UNAUTHENTICATED' },
      }),
    ]);
    expect(listens).toBe(0);
    expect(await openSubscriptions(gateway)).toBe(0);
  });

  it('says which subscription field is not served live when the gateway has no bus', async () => {
    const gateway = await createGateway(
      { supergraphSdl: topology.supergraphSdl, subgraphUrls: topology.subgraphUrls },
      { verifier, logger: captureLogger().logger },
    );
    gateways.push(gateway);
    await gateway.listen(0);
    bus = createInProcessBus();
    const { client } = connect(gateway, await issuer.bearer(staff(ROMA)));
    const error = await new Promise<unknown>((resolve) => {
      client.subscribe(
        { query: 'subscription { alertIssued { id } }' },
        { next: resolve, error: resolve, complete: () => undefined },
      );
    });
    expect(error).toEqual([
      expect.objectContaining({ message: 'Subscription.alertIssued is not served live by this gateway' }),
    ]);
  });

  it('keeps a fast subscriber whose updates are slow to resolve, and delivers them all in order', async () => {
    const gateway = await start({ subscriptionQueueSize: 2 });
    const ids = Array.from({ length: 8 }, (_, i) => `held-update-${i}`);
    for (const id of ids) topology.alerts.set(id, { id, colour: 'yellow' });
    const { client, closed } = connect(gateway, await issuer.bearer(staff(ROMA)));
    const subscriber = subscribe(client, 'subscription { alertIssued { id } }', closed);
    await expect.poll(() => openSubscriptions(gateway)).toBe(1);
    // Four times the queue, every update still loading at once (each waits at its own gate):
    // resolved together, not dropped.
    for (const id of ids) await bus.publish(alertIssued(ROMA, id, 'Z1'));
    let loading = 0;
    for (const id of ids) void topology.gates.arrived(id).then(() => (loading += 1));
    await until(() => loading === 8, 'every update loading at once');
    expect(subscriber.results).toEqual([]);
    expect(await openSubscriptions(gateway)).toBe(1);
    // Opened from the last to the first: the subscriber gets them in the events' order.
    for (const id of ids.toReversed()) topology.gates.open(id);
    await until(() => subscriber.results.length === 8, 'every update');
    expect(
      subscriber.results.map(
        (result) => (result as { data: { alertIssued: { id: string } } }).data.alertIssued.id,
      ),
    ).toEqual(ids);
    expect(await openSubscriptions(gateway)).toBe(1);
  });

  it('resolves an event once for every subscriber with the same document, variables and access', async () => {
    const gateway = await start();
    topology.alerts.set('al-shared', { id: 'al-shared', colour: 'red' });
    const authorization = await issuer.bearer(staff(ROMA));
    const query = 'subscription { alertIssued { id colour } }';
    const subscribers = Array.from({ length: 20 }, () => {
      const { client, closed } = connect(gateway, authorization);
      return subscribe(client, query, closed);
    });
    // Another clerk: the same document, but another access, resolved on its own.
    const other = connect(gateway, await issuer.bearer(staff(ROMA)));
    const otherSubscriber = subscribe(other.client, query, other.closed);
    await expect.poll(() => openSubscriptions(gateway)).toBe(21);
    const before = topology.accounts.requests;
    await bus.publish(alertIssued(ROMA, 'al-shared', 'Z1'));
    await until(
      () => subscribers.every((s) => s.results.length === 1) && otherSubscriber.results.length === 1,
      'every subscriber',
    );
    expect(topology.accounts.requests - before).toBe(2);
    for (const subscriber of [...subscribers, otherSubscriber]) {
      expect(subscriber.results).toEqual([{ data: { alertIssued: { id: 'al-shared', colour: 'red' } } }]);
    }
  });

  it('loads the entities of events arriving together in one request per subgraph, each event answered on its own', async () => {
    const gateway = await start();
    const ids = Array.from({ length: 20 }, (_, i) => (i === 7 ? `refused-${i}` : `batch-${i}`));
    for (const id of ids) topology.alerts.set(id, { id, colour: 'orange' });
    const { client, closed } = connect(gateway, await issuer.bearer(staff(ROMA)));
    const subscriber = subscribe(
      client,
      'subscription { alertIssued { id colour acknowledgements } }',
      closed,
    );
    await expect.poll(() => openSubscriptions(gateway)).toBe(1);
    const [accountsBefore, reviewsBefore] = [topology.accounts.requests, topology.reviews.requests];
    // Twenty events at once, as a burst brings them.
    await Promise.all(ids.map((id) => bus.publish(alertIssued(ROMA, id, 'Z1'))));
    await until(() => subscriber.results.length === 20, 'every update');
    // Counted where the requests arrive: one to the alerts' subgraph, one `_entities` to reviews.
    expect(topology.accounts.requests - accountsBefore).toBeLessThanOrEqual(2);
    expect(topology.reviews.requests - reviewsBefore).toBeLessThanOrEqual(2);
    expect(subscriber.results).toEqual(
      ids.map((id) =>
        id.startsWith('refused-')
          ? {
              data: { alertIssued: null },
              errors: [
                expect.objectContaining({
                  message: 'Only the civil protection office may read this alert',
                  path: ['alertIssued'],
                  extensions: expect.objectContaining({ code: 'FORBIDDEN' }),
                }),
              ],
            }
          : { data: { alertIssued: { id, colour: 'orange', acknowledgements: id.length } } },
      ),
    );
    expect(await openSubscriptions(gateway)).toBe(1);
  });

  it('answers each event on its own when one entity of a batch fails a non-null lookup', async () => {
    const required: SubscriptionBindings = {
      alertIssued: {
        ...bindings['alertIssued']!,
        lookup: (event) => ({ field: 'requiredAlert', args: { id: event.subject } }),
      },
    };
    const gateway = await start({}, undefined, captureLogger(), required);
    const ids = ['kept-0', 'kept-1', 'gone-2', 'kept-3', 'kept-4'];
    for (const id of ids) if (!id.startsWith('gone-')) topology.alerts.set(id, { id, colour: 'green' });
    const { client, closed } = connect(gateway, await issuer.bearer(staff(ROMA)));
    const subscriber = subscribe(client, 'subscription { alertIssued { id colour } }', closed);
    await expect.poll(() => openSubscriptions(gateway)).toBe(1);
    await Promise.all(ids.map((id) => bus.publish(alertIssued(ROMA, id, 'Z1'))));
    await until(() => subscriber.results.length === ids.length, 'every update');
    expect(subscriber.results).toEqual(
      ids.map((id) =>
        id.startsWith('gone-')
          ? {
              data: null,
              errors: [
                expect.objectContaining({
                  message: `No alert ${id}`,
                  path: ['alertIssued'],
                  extensions: expect.objectContaining({ code: 'NOT_FOUND' }),
                }),
              ],
            }
          : { data: { alertIssued: { id, colour: 'green' } } },
      ),
    );
    expect(await openSubscriptions(gateway)).toBe(1);
  });

  it('drops a subscriber that does not read, with a clear close code, while a fast one beside it gets everything', async () => {
    const gateway = await start({ subscriptionQueueSize: 16 });
    // Updates big enough for the socket buffers between gateway and client to fill up.
    const big = 'x'.repeat(200_000);
    const count = 100;
    for (let i = 0; i < count; i += 1) topology.alerts.set(`big-${i}`, { id: `big-${i}`, colour: big });
    const fast = connect(gateway, await issuer.bearer(staff(ROMA)));
    const fastSubscriber = subscribe(fast.client, 'subscription { alertIssued { id colour } }', fast.closed);

    // A client that subscribes, then stops reading its socket.
    const raw = new WebSocket(gateway.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
    await new Promise((resolve) => raw.once('open', resolve));
    raw.send(
      JSON.stringify({
        type: 'connection_init',
        payload: { authorization: await issuer.bearer(staff(ROMA)) },
      }),
    );
    await new Promise((resolve) => raw.once('message', resolve));
    raw.send(
      JSON.stringify({
        id: '1',
        type: 'subscribe',
        payload: { query: 'subscription { alertIssued { id colour } }' },
      }),
    );
    await expect.poll(() => openSubscriptions(gateway)).toBe(2);
    (raw as unknown as { _socket: { pause(): void } })._socket.pause();

    for (let i = 0; i < count; i += 1) await bus.publish(alertIssued(ROMA, `big-${i}`, 'Z1'));
    let fastClosed: number | undefined;
    void fast.closed.then((code) => (fastClosed = code));
    await until(
      () => fastSubscriber.results.length === count || fastClosed !== undefined,
      'every update to the fast subscriber',
      30_000,
    );
    expect(fastClosed).toBeUndefined();
    expect(fastSubscriber.results).toHaveLength(count);
    await expect
      .poll(
        async () =>
          (await gateway.metrics.registry.metrics()).match(
            /rejections_total\{reason="slow_consumer"\} (\d+)/,
          )?.[1],
        {
          timeout: 30_000,
        },
      )
      .toBe('1');
    // Once it reads again, it finds why it was dropped.
    const code = new Promise<number>((resolve) => raw.once('close', resolve));
    (raw as unknown as { _socket: { resume(): void } })._socket.resume();
    expect(await code).toBe(SLOW_CONSUMER_CLOSE_CODE);
  }, 60_000);

  it("holds background work on the gateway's event loop while a request or a subscriber's update is in progress; alerts go first", async () => {
    const foreground = createForegroundGate({ maxDeferMs: 60_000 });
    const gateway = await start({}, foreground);
    // A consumer on the same bus, as the embedded hub's notifier is: what it saw of the foreground.
    const handled: { type: string; foreground: number }[] = [];
    await bus.consume({ name: 'planner', subjects: ['sportello.>'], lanes: true }, async (event) => {
      handled.push({ type: event.type, foreground: foreground.active });
    });
    const authorization = await issuer.bearer(staff(ROMA));

    const answer = fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization },
      body: JSON.stringify({ query: '{ held(gate: "foreground-request") }' }),
    });
    await topology.gates.arrived('foreground-request');
    expect(foreground.active).toBe(1);
    // A practice event waits for the request (the gate counts it as deferred once it waits there);
    // an alert does not (critical work goes first).
    const first = bus.publish(practiceEvent(ROMA));
    await expect.poll(() => foreground.stats.deferred).toBe(1);
    expect(handled).toEqual([]);
    await bus.publish(alertIssued(ROMA, 'al-unwatched', 'Z9'));
    expect(handled).toEqual([{ type: 'alert.issued', foreground: 1 }]);
    topology.gates.open('foreground-request');
    expect(await (await answer).json()).toEqual({ data: { held: 'foreground-request' } });
    await first;
    expect(handled.at(-1)).toEqual({ type: 'practice.submitted', foreground: 0 });

    // The subscriber's update loads once its gate opens: a practice event published meanwhile
    // waits until it is sent.
    topology.alerts.set('held-watched', { id: 'held-watched', colour: 'yellow' });
    const { client, closed } = connect(gateway, authorization);
    const subscriber = subscribe(client, 'subscription { alertIssued { id colour } }', closed);
    await expect.poll(() => openSubscriptions(gateway)).toBe(1);
    const alert = bus.publish(alertIssued(ROMA, 'held-watched', 'Z1'));
    await topology.gates.arrived('held-watched');
    expect(foreground.active).toBe(1);
    await alert;
    const second = bus.publish(practiceEvent(ROMA));
    await expect.poll(() => foreground.stats.deferred).toBe(2);
    expect(handled).toHaveLength(3);
    expect(subscriber.results).toEqual([]);
    topology.gates.open('held-watched');
    await second;
    expect(handled.at(-1)).toEqual({ type: 'practice.submitted', foreground: 0 });
    await until(() => subscriber.results.length === 1, 'the update');
    expect(subscriber.results).toEqual([{ data: { alertIssued: { id: 'held-watched', colour: 'yellow' } } }]);
    expect(foreground.active).toBe(0);
    // Operators see it on /metrics.
    const metrics = await (await fetch(gateway.url.replace(/\/graphql$/, '/metrics'))).text();
    expect(metrics).toMatch(/^sportello_background_deferrals_total 2$/m);
    expect(metrics).toMatch(/^sportello_background_forced_releases_total 0$/m);
    const waited = /^sportello_background_deferred_seconds_total (\S+)$/m.exec(metrics)?.[1];
    expect(Number(waited)).toBeGreaterThan(0);
    expect(metrics).toMatch(/^sportello_foreground_work 0$/m);
  });

  it("ends a subscription at its token's expiry, with no event needed, and logs why", async () => {
    const log = captureLogger();
    const gateway = await start({}, undefined, log);
    // Long enough for the subscription to be open before it expires on a loaded machine.
    const { client, closed } = connect(gateway, await issuer.bearer(staff(ROMA), { expiresInSec: 3 }));
    const subscriber = subscribe(client, 'subscription { alertIssued { id } }', closed);
    await expect.poll(() => openSubscriptions(gateway)).toBe(1);
    expect(await closed).toBe(TOKEN_EXPIRED_CLOSE_CODE);
    expect(subscriber.results).toEqual([]);
    await expect
      .poll(() => log.lines.find((line) => line.message === 'subscription ended')?.fields['reason'])
      .toBe('token expired');
  });

  it('ends a subscription within a second of its token being revoked, with no event needed', async () => {
    const gateway = await start();
    const { client, closed } = connect(gateway, await issuer.bearer(staff(ROMA)));
    subscribe(client, 'subscription { alertIssued { id } }', closed);
    await expect.poll(() => openSubscriptions(gateway)).toBe(1);
    const revokedAt = Date.now();
    await bus.publish(
      createEvent('access.revoked', {
        comune: ROMA,
        subject: 'ops',
        actor: null,
        data: { reason: 'staff-disabled', revokedAt: new Date(revokedAt).toISOString(), username: 'ops' },
      }),
    );
    expect(await closed).toBe(TOKEN_EXPIRED_CLOSE_CODE);
    expect(Date.now() - revokedAt).toBeLessThan(5_000);
  });

  it('delivers an update whose field fails as data and errors, as over HTTP, and keeps the subscription', async () => {
    const gateway = await start();
    topology.alerts.set('al-partial', { id: 'al-partial', colour: 'yellow' });
    const { client, closed } = connect(gateway, await issuer.bearer(staff(ROMA)));
    const subscriber = subscribe(client, 'subscription { alertIssued { id restricted } }', closed);
    await expect.poll(() => openSubscriptions(gateway)).toBe(1);
    await bus.publish(alertIssued(ROMA, 'al-partial', 'Z1'));
    await bus.publish(alertIssued(ROMA, 'al-partial', 'Z2'));
    await until(() => subscriber.results.length === 2, 'both updates');
    for (const result of subscriber.results) {
      expect(result).toMatchObject({
        data: { alertIssued: { id: 'al-partial', restricted: null } },
        errors: [
          {
            message: 'Only the civil protection office may read this',
            path: ['alertIssued', 'restricted'],
            extensions: { code: 'FORBIDDEN' },
          },
        ],
      });
    }
    expect(await openSubscriptions(gateway)).toBe(1);
  });

  it('delivers updates while a subgraph is down, its fields null with SUBGRAPH_UNAVAILABLE, and goes on', async () => {
    const own = await startFixtureTopology();
    try {
      const gateway = await createGateway(
        { supergraphSdl: own.supergraphSdl, subgraphUrls: own.subgraphUrls },
        {
          verifier,
          logger: captureLogger().logger,
          bus: (bus = createInProcessBus()),
          subscriptions: bindings,
        },
      );
      gateways.push(gateway);
      await gateway.listen(0);
      own.alerts.set('al-down', { id: 'al-down', colour: 'red' });
      const { client, closed } = connect(gateway, await issuer.bearer(staff(ROMA)));
      const subscriber = subscribe(client, 'subscription { alertIssued { id acknowledgements } }', closed);
      await expect.poll(() => openSubscriptions(gateway)).toBe(1);
      await own.reviews.stop();
      await bus.publish(alertIssued(ROMA, 'al-down', 'Z1'));
      await until(() => subscriber.results.length === 1, 'the update without reviews');
      expect(subscriber.results[0]).toMatchObject({
        errors: [
          expect.objectContaining({ extensions: expect.objectContaining({ code: 'SUBGRAPH_UNAVAILABLE' }) }),
        ],
      });
      await bus.publish(alertIssued(ROMA, 'al-down', 'Z2'));
      await until(() => subscriber.results.length === 2, 'the next update');
      expect(await openSubscriptions(gateway)).toBe(1);
    } finally {
      await own.close();
    }
  });
});

describe('live subscriptions across gateway replicas', () => {
  it('delivers every event to the subscribers of each replica, each listening to NATS on its own', async () => {
    // The shared stream keeps events of other runs: a comune of this run only never matches them.
    const comune = `9${randomInt(10_000, 99_999)}`;
    const nats = () =>
      createNatsBus({ servers: 'nats://127.0.0.1:4222', connectionName: 'gateway-replica-test' });
    const replicaBuses = await Promise.all([nats(), nats()]);
    bus = await nats();
    try {
      const replicas = await Promise.all(
        replicaBuses.map(async (replicaBus) => {
          const gateway = await createGateway(
            { supergraphSdl: topology.supergraphSdl, subgraphUrls: topology.subgraphUrls },
            { verifier, logger: captureLogger().logger, bus: replicaBus, subscriptions: bindings },
          );
          gateways.push(gateway);
          await gateway.listen(0);
          return gateway;
        }),
      );
      topology.alerts.set('al-replicas', { id: 'al-replicas', colour: 'red' });
      const subscribers = await Promise.all(
        replicas.map(async (gateway) => {
          const { client, closed } = connect(gateway, await issuer.bearer(staff(comune)));
          return subscribe(client, 'subscription { alertIssued { id colour } }', closed);
        }),
      );
      for (const gateway of replicas) await expect.poll(() => openSubscriptions(gateway)).toBe(1);

      await bus.publish(alertIssued(comune, 'al-replicas', 'Z1'));
      await until(
        () => subscribers.every((s) => s.results.length === 1),
        'a delivery on each replica',
        10_000,
      );
      for (const subscriber of subscribers) {
        expect(subscriber.results).toEqual([{ data: { alertIssued: { id: 'al-replicas', colour: 'red' } } }]);
      }
    } finally {
      for (const client of clients.splice(0)) await client.dispose();
      await Promise.all(gateways.splice(0).map((gateway) => gateway.close()));
      await Promise.all(replicaBuses.map((replicaBus) => replicaBus.close()));
    }
  });
});

describe('live subscriptions across a NATS restart', () => {
  it('resume within two seconds of the server coming back, with every update published meanwhile, in order', async () => {
    const server = await startPrivateNatsServer();
    const nats = () =>
      createNatsBus({ servers: server.url, stream: 'LIVEOUTAGE', connectionName: 'gateway-outage-test' });
    const gatewayBus = await nats();
    bus = await nats();
    try {
      const gateway = await createGateway(
        { supergraphSdl: topology.supergraphSdl, subgraphUrls: topology.subgraphUrls },
        { verifier, logger: captureLogger().logger, bus: gatewayBus, subscriptions: bindings },
      );
      gateways.push(gateway);
      await gateway.listen(0);
      for (let i = 0; i < 20; i += 1) topology.alerts.set(`out-${i}`, { id: `out-${i}`, colour: 'red' });
      const { client, closed } = connect(gateway, await issuer.bearer(staff(ROMA)));
      const subscriber = subscribe(client, 'subscription { alertIssued { id } }', closed);
      await expect.poll(() => openSubscriptions(gateway)).toBe(1);
      const ids = () =>
        subscriber.results.map(
          (result) => (result as { data: { alertIssued: { id: string } } }).data.alertIssued.id,
        );

      for (let i = 0; i < 10; i += 1) await bus.publish(alertIssued(ROMA, `out-${i}`, 'Z1'));
      await expect.poll(() => ids().length, { timeout: 10_000 }).toBe(10);
      await server.stop();
      server.start();
      // Published as soon as the server takes events again (as the outbox relays retry).
      const publish = (i: number) =>
        vi.waitFor(() => bus.publish(alertIssued(ROMA, `out-${i}`, 'Z1')), { timeout: 30_000, interval: 50 });
      await publish(10);
      const backAt = Date.now();
      for (let i = 11; i < 20; i += 1) await publish(i);
      await expect.poll(() => ids().length, { timeout: 30_000 }).toBe(20);
      expect(ids()).toEqual(Array.from({ length: 20 }, (_, i) => `out-${i}`));
      expect(Date.now() - backAt).toBeLessThan(2_000);
    } finally {
      for (const client of clients.splice(0)) await client.dispose();
      await Promise.all(gateways.splice(0).map((gateway) => gateway.close()));
      await gatewayBus.close().catch(() => undefined);
      await bus.close().catch(() => undefined);
      // What the other tests' teardown closes.
      bus = createInProcessBus();
      await server.dispose();
    }
  }, 60_000);
});

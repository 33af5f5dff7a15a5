import { createHash, randomUUID } from 'node:crypto';
import {
  type CitizenPrincipal,
  createInProcessBus,
  type EventBus,
  type TokenVerifier,
} from '@sportello/platform';
import { type TestIssuer } from '@sportello/test-support';
import { createEvent } from '@sportello/schema';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayConfigInput } from './config.js';
import { createGateway, type GatewayHandle } from './gateway.js';
import { captureLogger, type FixtureTopology, startFixtureWorld } from './test-support/fixture-subgraphs.js';

const COMUNE = '099001';
const OTHER_COMUNE = '099002';

let topology: FixtureTopology;
let issuer: TestIssuer;
let verifier: TokenVerifier;
let bus: EventBus;
const open: GatewayHandle[] = [];

beforeAll(async () => {
  ({ topology, issuer, verifier } = await startFixtureWorld());
  bus = createInProcessBus();
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((gateway) => gateway.close()));
});
afterAll(async () => {
  await bus.close();
  await topology.close();
});

async function start(
  publicData: GatewayConfigInput['publicData'] = {},
  now?: () => number,
): Promise<GatewayHandle> {
  const gateway = await createGateway(
    { supergraphSdl: topology.supergraphSdl, subgraphUrls: topology.subgraphUrls, publicData },
    { verifier, logger: captureLogger().logger, bus, ...(now ? { now } : {}) },
  );
  open.push(gateway);
  await gateway.listen(0);
  return gateway;
}

const citizen = (fiscalCode: string): CitizenPrincipal => ({
  kind: 'citizen',
  comune: COMUNE,
  fiscalCode,
  actsFor: [],
  tokenId: randomUUID(),
});

interface Answer {
  status: number;
  headers: Headers;
  body: { data?: Record<string, unknown> | null; errors?: Array<{ extensions?: { code?: string } }> };
}

async function post(url: string, query: string, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query }),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Answer['body'],
  };
}

/** A persisted query over GET, as a CDN in front of the gateway would forward it. */
async function getPersisted(
  url: string,
  hash: string,
  variables: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; text: string }> {
  const target = new URL(url);
  target.searchParams.set('extensions', JSON.stringify({ persistedQuery: { version: 1, sha256Hash: hash } }));
  target.searchParams.set('variables', JSON.stringify(variables));
  const response = await fetch(target, { headers: { 'apollo-require-preflight': 'true', ...headers } });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

async function alertUpdated(comune: string, alertId: string, colour: 'yellow' | 'red'): Promise<void> {
  const now = Date.now();
  await bus.publish(
    createEvent('alert.updated', {
      comune,
      subject: alertId,
      actor: { kind: 'staff', id: 'operatore' },
      data: {
        alertId,
        hazard: 'hydraulic',
        colour,
        zones: ['Z1'],
        validFrom: new Date(now).toISOString(),
        validTo: new Date(now + 3_600_000).toISOString(),
        critical: colour === 'red',
      },
    }),
  );
}

async function metric(gateway: GatewayHandle, name: string): Promise<number> {
  const text = await gateway.metrics.registry.metrics();
  return text
    .split('\n')
    .filter((line) => line.startsWith(name))
    .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
}

const requests = () => topology.accounts.requests;

describe('personal data', () => {
  it('never merges or shares one caller’s answer with another, and marks it private, no-store', async () => {
    const gateway = await start();
    const [anna, bruno] = await Promise.all([
      issuer.sign(citizen('RSSNNA80A41H501X')),
      issuer.sign(citizen('BNCBRN75C12F205Y')),
    ]);
    // Each round's two requests are at the subgraph together, where a merge would have joined them.
    const query = (round: number) => `{ seenAuthorization held(gate: "personal-${round}") }`;
    for (let round = 0; round < 2; round += 1) {
      const before = requests();
      const both = Promise.all([
        post(gateway.url, query(round), { authorization: `Bearer ${anna}` }),
        post(gateway.url, query(round), { authorization: `Bearer ${bruno}` }),
      ]);
      await expect.poll(requests).toBe(before + 2);
      topology.gates.open(`personal-${round}`);
      const [first, second] = await both;
      const held = `personal-${round}`;
      expect(first.body.data).toEqual({ seenAuthorization: `Bearer ${anna}`, held });
      expect(second.body.data).toEqual({ seenAuthorization: `Bearer ${bruno}`, held });
      expect(requests() - before).toBe(2);
      for (const answer of [first, second]) {
        expect(answer.headers.get('cache-control')).toBe('private, no-store');
        expect(answer.headers.get('etag')).toBeNull();
      }
    }
    // Nobody's answer went into the shared cache: an anonymous caller gets the anonymous one.
    const anonymous = await post(gateway.url, query(1));
    expect(anonymous.body.data).toEqual({ seenAuthorization: null, held: 'personal-1' });
    expect(anonymous.headers.get('cache-control')).toMatch(/^public, /);
    expect(await metric(gateway, 'sportello_gateway_subgraph_fetch_merges_total')).toBe(0);
  });

  it('answers a GET with a token privately even when its If-None-Match names the public answer', async () => {
    const gateway = await start();
    const query = 'query Alert($id: ID!) { alert(id: $id) { colour seenBy } }';
    const hash = createHash('sha256').update(query).digest('hex');
    topology.alerts.set('pd-private', { id: 'pd-private', colour: 'green' });
    await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query,
        variables: { id: 'pd-private' },
        extensions: { persistedQuery: { version: 1, sha256Hash: hash } },
      }),
    });
    const shared = await getPersisted(gateway.url, hash, { id: 'pd-private' });
    expect(JSON.parse(shared.text)).toEqual({ data: { alert: { colour: 'green', seenBy: 'anonymous' } } });
    const token = await issuer.sign(citizen('RSSNNA80A41H501X'));
    const personal = await getPersisted(
      gateway.url,
      hash,
      { id: 'pd-private' },
      { authorization: `Bearer ${token}`, 'if-none-match': shared.headers.get('etag')! },
    );
    expect(personal.status).toBe(200);
    expect(JSON.parse(personal.text)).toEqual({
      data: { alert: { colour: 'green', seenBy: 'token holder' } },
    });
    expect(personal.headers.get('cache-control')).toBe('private, no-store');
    expect(personal.headers.get('etag')).toBeNull();
  });
});

describe('in-flight merging of anonymous fetches', () => {
  it('sends one fetch to the subgraph for many identical anonymous queries at once', async () => {
    const gateway = await start({ responseCache: false });
    const before = requests();
    const answers = Promise.all(
      Array.from({ length: 12 }, () => post(gateway.url, '{ held(gate: "merged") }', { 'x-comune': COMUNE })),
    );
    // All twelve are in the gateway before the subgraph answers the first.
    await expect.poll(() => metric(gateway, 'sportello_gateway_subgraph_fetch_merges_total')).toBe(11);
    topology.gates.open('merged');
    for (const answer of await answers) expect(answer.body).toEqual({ data: { held: 'merged' } });
    expect(requests() - before).toBe(1);
    expect(await metric(gateway, 'sportello_gateway_subgraph_fetch_merges_total')).toBe(11);
    expect(await metric(gateway, 'sportello_gateway_subgraph_fetches_total{subgraph="accounts"}')).toBe(1);
  });

  it('keeps comuni apart, and fetches every time when merging is off', async () => {
    const merging = await start({ responseCache: false });
    let before = requests();
    const apart = '{ held(gate: "comuni-apart") }';
    const comuni = Promise.all([
      post(merging.url, apart, { 'x-comune': COMUNE }),
      post(merging.url, apart, { 'x-comune': OTHER_COMUNE }),
      post(merging.url, apart, { 'x-comune': COMUNE }),
    ]);
    // All three are in the gateway, two fetches at the subgraph, before it answers.
    await expect.poll(() => metric(merging, 'sportello_gateway_subgraph_fetch_merges_total')).toBe(1);
    await expect.poll(requests).toBe(before + 2);
    topology.gates.open('comuni-apart');
    await comuni;
    expect(requests() - before).toBe(2);

    const plain = await start({ responseCache: false, dedupe: false });
    before = requests();
    const unmerged = Promise.all(
      Array.from({ length: 6 }, () => post(plain.url, '{ held(gate: "merging-off") }')),
    );
    await expect.poll(requests).toBe(before + 6);
    topology.gates.open('merging-off');
    await unmerged;
    expect(requests() - before).toBe(6);
  });
});

describe('public response cache', () => {
  const query = (id: string) => `{ alert(id: "${id}") { colour } }`;

  it('serves the cached answer until the bus says the comune’s alerts changed', async () => {
    const gateway = await start({ maxAgeSeconds: 60 });
    topology.alerts.set('pd-1', { id: 'pd-1', colour: 'yellow' });
    const forComune = { 'x-comune': COMUNE };
    const forOther = { 'x-comune': OTHER_COMUNE };
    expect((await post(gateway.url, query('pd-1'), forComune)).body.data).toEqual({
      alert: { colour: 'yellow' },
    });
    await post(gateway.url, query('pd-1'), forOther);

    topology.alerts.set('pd-1', { id: 'pd-1', colour: 'red' });
    const before = requests();
    expect((await post(gateway.url, query('pd-1'), forComune)).body.data).toEqual({
      alert: { colour: 'yellow' },
    });
    expect(requests()).toBe(before);

    await alertUpdated(COMUNE, 'pd-1', 'red');
    const fresh = await post(gateway.url, query('pd-1'), forComune);
    expect(fresh.body.data).toEqual({ alert: { colour: 'red' } });
    expect(requests()).toBe(before + 1);
    // Another comune's event does not concern this comune's cached answers.
    expect((await post(gateway.url, query('pd-1'), forOther)).body.data).toEqual({
      alert: { colour: 'yellow' },
    });
    expect(await metric(gateway, 'sportello_gateway_response_cache_lookups_total{outcome="hit"}')).toBe(2);
    expect(await metric(gateway, 'sportello_gateway_response_cache_lookups_total{outcome="miss"}')).toBe(3);
    expect(await metric(gateway, 'sportello_gateway_response_cache_invalidations_total')).toBe(1);
    expect(await metric(gateway, 'sportello_gateway_response_cache_bytes')).toBeGreaterThan(0);
  });

  it('drops an answer that names no comune on any comune’s change', async () => {
    const gateway = await start({ maxAgeSeconds: 60 });
    topology.alerts.set('pd-2', { id: 'pd-2', colour: 'orange' });
    await post(gateway.url, query('pd-2'));
    topology.alerts.set('pd-2', { id: 'pd-2', colour: 'red' });
    expect((await post(gateway.url, query('pd-2'))).body.data).toEqual({ alert: { colour: 'orange' } });
    await alertUpdated(OTHER_COMUNE, 'pd-2', 'red');
    expect((await post(gateway.url, query('pd-2'))).body.data).toEqual({ alert: { colour: 'red' } });
  });

  it('does not keep an answer that was being computed when the data changed', async () => {
    const gateway = await start({ maxAgeSeconds: 60 });
    topology.alerts.set('held-pd', { id: 'held-pd', colour: 'yellow' });
    // The event arrives while the subgraph is still answering (it answers once the gate opens).
    const inFlight = post(gateway.url, query('held-pd'), { 'x-comune': COMUNE });
    await topology.gates.arrived('held-pd');
    await alertUpdated(COMUNE, 'held-pd', 'yellow');
    await expect.poll(() => metric(gateway, 'sportello_gateway_response_cache_invalidations_total')).toBe(1);
    topology.gates.open('held-pd');
    expect((await inFlight).body.data).toEqual({ alert: { colour: 'yellow' } });
    // Had that answer been kept, this would still read yellow for a minute.
    topology.alerts.set('held-pd', { id: 'held-pd', colour: 'red' });
    expect((await post(gateway.url, query('held-pd'), { 'x-comune': COMUNE })).body.data).toEqual({
      alert: { colour: 'red' },
    });
  });

  it('serves a change within the maximum age even when no event says so', async () => {
    let clock = Date.now();
    const gateway = await start({ maxAgeSeconds: 60 }, () => clock);
    topology.alerts.set('pd-3', { id: 'pd-3', colour: 'yellow' });
    await post(gateway.url, query('pd-3'));
    topology.alerts.set('pd-3', { id: 'pd-3', colour: 'red' });
    clock += 59_000;
    expect((await post(gateway.url, query('pd-3'))).body.data).toEqual({ alert: { colour: 'yellow' } });
    clock += 1_000;
    expect((await post(gateway.url, query('pd-3'))).body.data).toEqual({ alert: { colour: 'red' } });
  });

  it('keeps answers with errors and mutations out of the cache, and takes mutations over POST only', async () => {
    const gateway = await start();
    const before = requests();
    const first = await post(gateway.url, '{ forbidden }');
    const second = await post(gateway.url, '{ forbidden }');
    expect(second.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(requests() - before).toBe(2);
    for (const answer of [first, second]) expect(answer.headers.get('cache-control')).toBe('no-store');

    topology.alerts.set('pd-m', { id: 'pd-m', colour: 'green' });
    const mutation = 'mutation { recolour(id: "pd-m", colour: "red") { colour } }';
    const changed = await post(gateway.url, mutation);
    expect(changed.body.data).toEqual({ recolour: { colour: 'red' } });
    expect(changed.headers.get('cache-control')).toBe('no-store');
    const again = await post(gateway.url, mutation);
    expect(again.body.data).toEqual({ recolour: { colour: 'red' } });
    expect(requests() - before).toBe(4);
    const overGet = await fetch(`${gateway.url}?${new URLSearchParams({ query: mutation })}`, {
      headers: { 'apollo-require-preflight': 'true' },
    });
    expect(overGet.status).toBe(405);
    expect(requests() - before).toBe(4);
  });

  it('forgets the least recently used answers beyond its memory bound', async () => {
    const gateway = await start({ maxBytes: 3_000 });
    for (let i = 0; i < 20; i += 1) await post(gateway.url, `{ accounts(first: ${i + 1}) { id } }`);
    expect(await metric(gateway, 'sportello_gateway_response_cache_bytes')).toBeLessThanOrEqual(3_000);
    const before = requests();
    await post(gateway.url, '{ accounts(first: 20) { id } }');
    expect(requests()).toBe(before);
    await post(gateway.url, '{ accounts(first: 1) { id } }');
    expect(requests()).toBe(before + 1);
  });
});

describe('CDN-friendly delivery', () => {
  const query = 'query ActiveAlert($id: ID!) { alert(id: $id) { id colour } }';
  const hash = createHash('sha256').update(query).digest('hex');

  it('serves a persisted query over GET with public Cache-Control and an ETag, and 304 while it holds', async () => {
    const gateway = await start({ maxAgeSeconds: 5 });
    topology.alerts.set('pd-cdn', { id: 'pd-cdn', colour: 'orange' });
    // The APQ handshake: the hash alone is unknown, then the document is registered with it.
    const unknown = await getPersisted(gateway.url, hash, { id: 'pd-cdn' });
    expect(JSON.parse(unknown.text).errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect(unknown.headers.get('cache-control')).toBe('no-store');
    const registered = await fetch(
      `${gateway.url}?${new URLSearchParams({
        query,
        variables: JSON.stringify({ id: 'pd-cdn' }),
        extensions: JSON.stringify({ persistedQuery: { version: 1, sha256Hash: hash } }),
      })}`,
      { headers: { 'apollo-require-preflight': 'true', 'x-comune': COMUNE } },
    );
    expect(registered.status).toBe(200);

    const first = await getPersisted(gateway.url, hash, { id: 'pd-cdn' }, { 'x-comune': COMUNE });
    expect(first.status).toBe(200);
    expect(JSON.parse(first.text)).toEqual({ data: { alert: { id: 'pd-cdn', colour: 'orange' } } });
    expect(first.headers.get('cache-control')).toBe('public, max-age=5, stale-while-revalidate=5');
    expect(first.headers.get('vary')).toMatch(/x-comune/);
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^"[\w-]+"$/);
    expect(registered.headers.get('etag')).toBe(etag);

    const unchanged = await getPersisted(
      gateway.url,
      hash,
      { id: 'pd-cdn' },
      { 'x-comune': COMUNE, 'if-none-match': `W/"other", ${etag}` },
    );
    expect(unchanged.status).toBe(304);
    expect(unchanged.text).toBe('');
    expect(unchanged.headers.get('etag')).toBe(etag);
    expect(unchanged.headers.get('cache-control')).toBe('public, max-age=5, stale-while-revalidate=5');

    topology.alerts.set('pd-cdn', { id: 'pd-cdn', colour: 'red' });
    await alertUpdated(COMUNE, 'pd-cdn', 'red');
    const changed = await getPersisted(
      gateway.url,
      hash,
      { id: 'pd-cdn' },
      { 'x-comune': COMUNE, 'if-none-match': etag! },
    );
    expect(changed.status).toBe(200);
    expect(JSON.parse(changed.text)).toEqual({ data: { alert: { id: 'pd-cdn', colour: 'red' } } });
    expect(changed.headers.get('etag')).not.toBe(etag);
    expect(await metric(gateway, 'sportello_gateway_not_modified_total')).toBe(1);
  });

  it('does not answer from the cache a GET that Apollo’s CSRF prevention refuses', async () => {
    const gateway = await start();
    topology.alerts.set('pd-csrf', { id: 'pd-csrf', colour: 'green' });
    const target = `${gateway.url}?${new URLSearchParams({ query: '{ alert(id: "pd-csrf") { colour } }' })}`;
    expect((await fetch(target, { headers: { 'apollo-require-preflight': 'true' } })).status).toBe(200);
    const simple = await fetch(target);
    expect(simple.status).toBe(400);
    expect(simple.headers.get('cache-control')).toBe('no-store');
  });
});

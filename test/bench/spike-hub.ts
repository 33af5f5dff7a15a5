/**
 * The system under test of the spike benchmark: the civil-protection subgraph (SQLite in a temp
 * dir, seeded) and a gateway in front of it, sharing one in-process bus, as the embedded hub runs
 * them. It runs in a worker thread so that the load generator does not share its event loop.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { createCivilProtection, seedCivilProtection } from '@sportello/civil-protection';
import { composeSupergraph, createGateway } from '@sportello/gateway';
import { createInProcessBus, createLogger, createTokenVerifier } from '@sportello/platform';
import { createTestIssuer } from '@sportello/test-support';

/** The comune the benchmark town is. */
export const SPIKE_COMUNE = '099001';
/** Its centre; clients stand around it. */
export const SPIKE_CENTRE = { latitude: 45.07, longitude: 7.68 };

/** How the hub is set up for one run. */
export interface SpikeHubOptions {
  /** Response cache and in-flight merging on (`true`) or both off. */
  shared: boolean;
  maxAgeSeconds: number;
  /** Zones of the town (one waiting area each, and more areas around). */
  zones: number;
}

/** What the load generator needs to reach the hub. */
export interface SpikeHubEndpoints {
  gatewayUrl: string;
  /** A civil-protection staff bearer, to issue the alert in the middle of the spike. */
  staffAuthorization: string;
}

/** A running hub. */
export interface SpikeHub extends SpikeHubEndpoints {
  close(): Promise<void>;
}

/** Starts the subgraph and the gateway on free loopback ports. */
export async function startSpikeHub(options: SpikeHubOptions): Promise<SpikeHub> {
  const dir = await mkdtemp(join(tmpdir(), 'sportello-spike-'));
  const issuer = await createTestIssuer({ issuer: 'http://issuer.spike.test', audience: 'sportello-api' });
  const logger = createLogger({ name: 'spike', level: 'silent' });
  const bus = createInProcessBus();
  const service = await createCivilProtection(
    {
      mode: 'demo',
      port: 0,
      logLevel: 'silent',
      defaultComune: SPIKE_COMUNE,
      comuneNames: { [SPIKE_COMUNE]: 'Borgo Spike' },
      database: { driver: 'sqlite', url: join(dir, 'civil-protection.db') },
      tokenIssuer: issuer.issuer,
      tokenAudience: issuer.audience,
      jwksUrl: new URL('http://issuer.spike.test/.well-known/jwks.json'),
      publicUrl: 'http://127.0.0.1:4000',
      internalSecret: null,
      capSenderDomain: 'borgo-spike.example',
      bus: { kind: 'inprocess', natsServers: [] },
      feedMaxAgeSeconds: options.maxAgeSeconds,
    },
    { bus, logger, jwks: issuer.jwks },
  );
  const base = await service.listen(0, '127.0.0.1');
  await seedCivilProtection(service.database.fork({ comune: SPIKE_COMUNE }), {
    comune: SPIKE_COMUNE,
    comuneName: 'Borgo Spike',
    centre: SPIKE_CENTRE,
    zones: Array.from({ length: options.zones }, (_, i) => ({
      code: `Z${i + 1}`,
      name: `Zona ${i + 1}`,
      regionalAlertZone: 'Piem-L',
    })),
  });

  // The gateway fronts this subgraph alone: compose from the SDL it serves.
  const sdlResponse = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ _service { sdl } }' }),
  });
  const { data } = (await sdlResponse.json()) as { data: { _service: { sdl: string } } };
  const { supergraphSdl } = composeSupergraph([{ name: 'civil-protection', sdl: data._service.sdl }]);
  const gateway = await createGateway(
    {
      supergraphSdl,
      subgraphUrls: { 'civil-protection': `${base}/graphql` },
      // Every client comes from loopback: the per-IP budget would measure the limiter, not the hub.
      rateLimits: { ipPerMinute: 100_000_000, clientPerMinute: 100_000_000 },
      publicData: {
        responseCache: options.shared,
        dedupe: options.shared,
        maxAgeSeconds: options.maxAgeSeconds,
      },
    },
    {
      verifier: createTokenVerifier({ issuer: issuer.issuer, audience: issuer.audience, jwks: issuer.jwks }),
      logger,
      bus,
    },
  );
  const gatewayUrl = await gateway.listen(0, '127.0.0.1');
  const staffAuthorization = await issuer.bearer({
    kind: 'staff',
    comune: SPIKE_COMUNE,
    username: 'sala.operativa',
    offices: ['civil-protection'],
    tokenId: randomUUID(),
  });
  return {
    gatewayUrl,
    staffAuthorization,
    async close() {
      await gateway.close();
      await service.close();
      await bus.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Messages between the benchmark and the hub worker. */
export type SpikeHubMessage =
  { kind: 'ready'; endpoints: SpikeHubEndpoints } | { kind: 'failed'; message: string } | { kind: 'stopped' };

if (!isMainThread && parentPort && (workerData as { spikeHub?: SpikeHubOptions })?.spikeHub) {
  const port = parentPort;
  startSpikeHub((workerData as { spikeHub: SpikeHubOptions }).spikeHub).then(
    (hub) => {
      const { gatewayUrl, staffAuthorization } = hub;
      port.postMessage({
        kind: 'ready',
        endpoints: { gatewayUrl, staffAuthorization },
      } satisfies SpikeHubMessage);
      port.once('message', () => {
        void hub.close().then(() => {
          port.postMessage({ kind: 'stopped' } satisfies SpikeHubMessage);
          port.close();
        });
      });
    },
    (error: unknown) => {
      port.postMessage({
        kind: 'failed',
        message: String((error as Error)?.stack ?? error),
      } satisfies SpikeHubMessage);
      port.close();
    },
  );
}

/**
 * The client side of the subscription latency benchmark, run in a worker thread so that it has an
 * event loop of its own, as a real client (a dashboard, an app) does: a staff member's graphql-ws
 * subscription and a citizen submitting practices, one after another. It reports, per practice,
 * when `submitPractice` was sent and when the first update arrived, as absolute times
 * (`performance.timeOrigin + performance.now()`, comparable across threads).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { createInternalAssertions } from '@sportello/platform';
import { devToken, graphql } from '../support/graphql-client.js';

/** What the main thread gives the worker. */
export interface LatencyClientInput {
  gatewayUrl: string;
  practicesUrl: string;
  /** Signs the calls straight to the practices subgraph, which answers only internal callers. */
  internalSecret: string;
  /** The public origin: identity's `/auth/dev/token`. */
  identityUrl: string;
  staffToken: string;
  /** Practices measured. */
  events: number;
  /** Practices submitted first (their samples come first). */
  warmup: number;
  subscription: string;
  draft: unknown;
}

/** One practice as the client saw it (absolute milliseconds). */
export interface LatencySample {
  practiceId: string;
  sentAt: number;
  firstUpdateAt: number;
}

/** What the worker posts: progress lines, then its samples (or a failure). */
export type LatencyClientMessage =
  | { kind: 'progress'; done: number }
  | { kind: 'done'; samples: LatencySample[]; messages: number; updatesWithErrors: number }
  | { kind: 'failed'; error: string };

const now = () => performance.timeOrigin + performance.now();

interface Pending {
  resolve: () => void;
  count: number;
  at?: number;
}

async function run(input: LatencyClientInput): Promise<LatencyClientMessage> {
  const internal = createInternalAssertions({ secret: input.internalSecret, caller: 'latency-benchmark' });
  const waiting = new Map<string, Pending>();
  let messages = 0;
  let updatesWithErrors = 0;
  let failure: unknown;
  const client = createClient({
    url: input.gatewayUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    connectionParams: { authorization: `Bearer ${input.staffToken}` },
  });
  try {
    client.subscribe(
      { query: input.subscription },
      {
        next: (value) => {
          const at = now();
          messages += 1;
          if (value.errors) updatesWithErrors += 1;
          const id = (value.data?.['practiceChanged'] as { practice?: { id?: string } | null } | undefined)
            ?.practice?.id;
          const entry = id ? waiting.get(id) : undefined;
          if (!entry) return;
          entry.count += 1;
          if (entry.count === 1) {
            entry.at = at;
            entry.resolve();
          }
        },
        error: (error) => (failure = error),
        complete: () => undefined,
      },
    );
    const metricsUrl = input.gatewayUrl.replace(/\/graphql$/, '/metrics');
    for (let tries = 0; ; tries += 1) {
      const metrics = await (await fetch(metricsUrl)).text();
      if (/^sportello_gateway_open_subscriptions [1-9]/m.test(metrics)) break;
      if (failure !== undefined || tries > 200) {
        throw new Error(`the subscription never opened: ${JSON.stringify(failure)}`);
      }
      await new Promise((done) => setTimeout(done, 25));
    }

    const samples: LatencySample[] = [];
    let citizen = '';
    for (let i = 0; i < input.warmup + input.events; i += 1) {
      // A fresh token now and then: the subgraph has no rate limit, but tokens do expire.
      if (i % 500 === 0) citizen = (await devToken(input.identityUrl, { kind: 'citizen' })).access_token;
      const draft = await graphql<{ createPracticeDraft: { id: string } }>(
        input.practicesUrl,
        'mutation Draft($input: CreatePracticeDraftInput!) { createPracticeDraft(input: $input) { id } }',
        { token: citizen, variables: { input: input.draft }, headers: internal.headers() },
      );
      const id = draft.data?.createPracticeDraft.id;
      if (!id) throw new Error(`draft refused: ${JSON.stringify(draft.errors)}`);
      let resolveFirst: () => void = () => undefined;
      const first = new Promise<void>((resolve) => (resolveFirst = resolve));
      const entry: Pending = { resolve: resolveFirst, count: 0 };
      waiting.set(id, entry);
      const sentAt = now();
      const submitted = await graphql(input.practicesUrl, `mutation { submitPractice(id: "${id}") { id } }`, {
        token: citizen,
        headers: internal.headers(),
      });
      if (submitted.errors) throw new Error(`submission refused: ${JSON.stringify(submitted.errors)}`);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        first,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no update of practice ${id} within 10 s`)), 10_000);
        }),
      ]).finally(() => clearTimeout(timer));
      samples.push({ practiceId: id, sentAt, firstUpdateAt: entry.at! });
      // Let the second change (registered) arrive before the next practice, so runs do not overlap.
      for (let spins = 0; entry.count < 2 && spins < 200; spins += 1) {
        await new Promise((done) => setTimeout(done, 1));
      }
      waiting.delete(id);
      const measured = i + 1 - input.warmup;
      if (measured > 0 && measured % 250 === 0) parentPort?.postMessage({ kind: 'progress', done: measured });
    }
    return { kind: 'done', samples, messages, updatesWithErrors };
  } finally {
    await client.dispose();
  }
}

run(workerData as LatencyClientInput).then(
  (message) => parentPort?.postMessage(message),
  (error: unknown) =>
    parentPort?.postMessage({
      kind: 'failed',
      error: error instanceof Error ? error.message : String(error),
    }),
);

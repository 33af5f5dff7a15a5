/**
 * The subscribers of the live benchmark, in a worker thread (an event loop of their own, apart from
 * the load the main thread generates): staff following their office's practices, each on a
 * graphql-ws connection of their own, and anonymous residents following the alerts, spread over
 * loopback addresses as the many devices they stand for. Each update is stamped when it arrives;
 * the main thread says when to stop and gets everything seen.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

/** What the main thread gives the worker. */
export interface LiveSubscribersInput {
  api: string;
  comune: string;
  staffToken: string;
  office: string;
  staff: number;
  anonymous: number;
  /** Anonymous subscribers per loopback address. */
  perAddress: number;
}

/** One update a subscriber received: the change's event, its time and when it arrived (ms). */
export interface Arrival {
  eventId: string;
  practiceId: string;
  to: string;
  /** When the change was made (the update's `at`). */
  at: number;
  receivedAt: number;
}

/** What the worker posts. */
export type LiveSubscribersMessage =
  | { kind: 'connected' }
  | {
      kind: 'done';
      /** Per staff subscriber, what arrived, in order. */
      staff: Arrival[][];
      /** Per anonymous subscriber, the alerts that arrived: id, kind and when (ms). */
      anonymous: Array<Array<{ alertId: string; kind: string; at: number; receivedAt: number }>>;
      /** Every end of a connection or subscription that the benchmark did not ask for. */
      ends: string[];
      updatesWithErrors: number;
    }
  | { kind: 'failed'; error: string };

const input = workerData as LiveSubscribersInput;
const now = () => performance.timeOrigin + performance.now();

const PRACTICES = `subscription Office($office: String!) {
  practiceChanged(office: $office) { eventId from to at practice { id status } }
}`;
const ALERTS = 'subscription Alerts { alertChanged { eventId kind at alert { id colour phase } } }';

/** A WebSocket opened from a given loopback address (any of 127.0.0.0/8 on Linux). */
function webSocketFrom(localAddress: string): unknown {
  return class extends WebSocket {
    constructor(address: string | URL, protocols?: string | string[]) {
      super(address, protocols, { localAddress });
    }
  };
}

const clients: Client[] = [];
const staff: Arrival[][] = [];
const anonymous: Array<Array<{ alertId: string; kind: string; at: number; receivedAt: number }>> = [];
const ends: string[] = [];
let updatesWithErrors = 0;
let stopping = false;

function open(
  index: number,
  options: { localAddress: string; token?: string },
  query: string,
  variables: Record<string, unknown>,
  onData: (data: Record<string, unknown>) => void,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const client = createClient({
      url: input.api.replace(/^http/, 'ws'),
      webSocketImpl: webSocketFrom(options.localAddress),
      connectionParams: options.token
        ? { authorization: `Bearer ${options.token}`, comune: input.comune }
        : { comune: input.comune },
      lazy: false,
      retryAttempts: 0,
      keepAlive: 0,
      on: {
        connected: () => resolve(),
        closed: (event) => {
          const { code, reason } = event as { code?: number; reason?: string };
          if (!stopping) ends.push(`${index}: closed ${code} ${reason ?? ''}`);
          reject(new Error(`subscriber ${index} closed: ${code} ${reason ?? ''}`));
        },
      },
    });
    clients.push(client);
    client.subscribe<Record<string, unknown>>(
      { query, variables },
      {
        next: (value) => {
          if (value.errors) updatesWithErrors += 1;
          if (value.data) onData(value.data);
        },
        error: (error) => {
          if (!stopping) ends.push(`${index}: error ${JSON.stringify(error)}`);
        },
        complete: () => {
          if (!stopping) ends.push(`${index}: completed`);
        },
      },
    );
  });
}

async function run(): Promise<void> {
  const opening: Array<Promise<void>> = [];
  for (let i = 0; i < input.staff; i += 1) {
    const seen: Arrival[] = [];
    staff.push(seen);
    opening.push(
      open(
        i,
        { localAddress: '127.0.2.1', token: input.staffToken },
        PRACTICES,
        { office: input.office },
        (data) => {
          const receivedAt = now();
          const update = data['practiceChanged'] as {
            eventId: string;
            to: string;
            at: string;
            practice: { id: string } | null;
          };
          seen.push({
            eventId: update.eventId,
            practiceId: update.practice?.id ?? '',
            to: update.to,
            at: Date.parse(update.at),
            receivedAt,
          });
        },
      ),
    );
  }
  // Anonymous ones 200 at a time, as devices connect.
  let next = 0;
  const openAnonymous = async () => {
    while (next < input.anonymous) {
      const index = next++;
      const seen: Array<{ alertId: string; kind: string; at: number; receivedAt: number }> = [];
      anonymous[index] = seen;
      await open(
        input.staff + index,
        { localAddress: `127.0.3.${1 + Math.floor(index / input.perAddress)}` },
        ALERTS,
        {},
        (data) => {
          const receivedAt = now();
          const update = data['alertChanged'] as { kind: string; at: string; alert: { id: string } | null };
          seen.push({
            alertId: update.alert?.id ?? '',
            kind: update.kind,
            at: Date.parse(update.at),
            receivedAt,
          });
        },
      );
    }
  };
  opening.push(...Array.from({ length: 200 }, openAnonymous));
  await Promise.all(opening);
  parentPort!.postMessage({ kind: 'connected' } satisfies LiveSubscribersMessage);
}

/**
 * Once the load is over: waits until every staff subscriber has `staffUpdates` updates and every
 * anonymous one `alertUpdates`, or until nothing more arrived for `quietMs`, then closes everything.
 */
async function settle(staffUpdates: number, alertUpdates: number, quietMs: number): Promise<void> {
  const total = () =>
    staff.reduce((sum, seen) => sum + seen.length, 0) + anonymous.reduce((sum, seen) => sum + seen.length, 0);
  let last = total();
  let lastChange = now();
  while (
    staff.some((seen) => seen.length < staffUpdates) ||
    anonymous.some((seen) => seen.length < alertUpdates)
  ) {
    await new Promise((done) => setTimeout(done, 100));
    const current = total();
    if (current !== last) [last, lastChange] = [current, now()];
    else if (now() - lastChange > quietMs) break;
  }
  stopping = true;
  await Promise.all(clients.map((client) => client.dispose()));
}

parentPort!.on(
  'message',
  (message: { kind: 'settle'; staffUpdates: number; alertUpdates: number; quietMs: number }) => {
    if (message.kind !== 'settle') return;
    void settle(message.staffUpdates, message.alertUpdates, message.quietMs).then(() => {
      parentPort!.postMessage({
        kind: 'done',
        staff,
        anonymous,
        ends,
        updatesWithErrors,
      } satisfies LiveSubscribersMessage);
    });
  },
);

run().catch((error: unknown) =>
  parentPort!.postMessage({
    kind: 'failed',
    error: error instanceof Error ? error.message : String(error),
  } satisfies LiveSubscribersMessage),
);

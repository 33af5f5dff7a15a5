/**
 * A closed-loop load generator: `concurrency` virtual users, each sending its next request as soon
 * as the previous answer is read, over keep-alive connections (an undici `Pool`, one connection per
 * user). A request counts as an error when the status is not 200 or the body holds GraphQL errors.
 */
import { Pool } from 'undici';
import { percentiles, round, type Percentiles } from './figures.js';

/** What to send. `headers` may vary per request (e.g. rotating tokens). */
export interface LoadTarget {
  /** The GraphQL endpoint. */
  url: string;
  /** The JSON body of every request. */
  body: string;
  headers?: (sequence: number) => Record<string, string>;
}

/** How long and how hard. */
export interface LoadShape {
  concurrency: number;
  durationMs: number;
  /** Requests before this are sent but not measured (connections, JIT, caches). @default 1000 */
  warmupMs?: number;
}

/** What a run measured. */
export interface LoadResult {
  requests: number;
  errors: number;
  durationMs: number;
  requestsPerSecond: number;
  latencyMs: Percentiles;
  /** The first few error answers, for diagnosis. */
  errorSamples: string[];
}

/** Sends one request and returns the answer's status and text. */
export async function post(
  pool: Pool,
  path: string,
  body: string,
  headers: Record<string, string>,
): Promise<{ status: number; text: string }> {
  const response = await pool.request({
    path,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  return { status: response.statusCode, text: await response.body.text() };
}

/** Runs the load against `target` and measures the part after the warm-up. */
export async function runLoad(target: LoadTarget, shape: LoadShape): Promise<LoadResult> {
  const url = new URL(target.url);
  const pool = new Pool(url.origin, { connections: shape.concurrency, pipelining: 1 });
  const path = `${url.pathname}${url.search}`;
  const warmupMs = shape.warmupMs ?? 1_000;
  const latencies: number[] = [];
  const errorSamples: string[] = [];
  let errors = 0;
  let sequence = 0;
  const started = performance.now();
  const measuredFrom = started + warmupMs;
  const until = measuredFrom + shape.durationMs;

  async function user(): Promise<void> {
    while (performance.now() < until) {
      const headers = target.headers?.(sequence++) ?? {};
      const sent = performance.now();
      let failure: string | undefined;
      try {
        const answer = await post(pool, path, target.body, headers);
        if (answer.status !== 200 || answer.text.includes('"errors"')) {
          failure = `${answer.status} ${answer.text.slice(0, 300)}`;
        }
      } catch (error) {
        failure = String((error as Error)?.message ?? error);
      }
      const done = performance.now();
      if (sent < measuredFrom || done > until) continue;
      latencies.push(done - sent);
      if (failure !== undefined) {
        errors += 1;
        if (errorSamples.length < 3) errorSamples.push(failure);
      }
    }
  }

  try {
    await Promise.all(Array.from({ length: shape.concurrency }, () => user()));
  } finally {
    await pool.close();
  }
  return {
    requests: latencies.length,
    errors,
    durationMs: Math.round(shape.durationMs),
    requestsPerSecond: round(latencies.length / (shape.durationMs / 1000)),
    latencyMs: percentiles(latencies),
    errorSamples,
  };
}

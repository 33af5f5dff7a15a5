import { afterEach, describe, expect, it } from 'vitest';
import type { EventEnvelope } from '@sportello/schema';
import { startTributi, type TestTributi } from '../test-support/harness.js';
import { createForegroundGate } from '@sportello/platform';
import { tariRun } from '../test-support/payers.js';

const START = `mutation ($input: NewPaymentBulkJobInput!) { startPaymentBulkJob(input: $input) { id } }`;

interface Progress {
  jobId: string;
  status: string;
  processed: number;
  total: number;
}

describe.each(['sqlite', 'postgresql'] as const)('the progress a bulk run publishes on %s', (driver) => {
  let t: TestTributi | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  const progressOf = (events: EventEnvelope[], jobId: string): Progress[] =>
    events
      .filter((event) => event.type === 'payment.bulk-job-changed')
      .map((event) => event.data as Progress)
      .filter((data) => data.jobId === jobId);

  it('tells of batches, not of items, throttled, and always of the end and of a cancellation', async () => {
    t = await startTributi(driver, { bulkBatchSize: 100 });
    const staff = await t.tokens.staff();
    const input = tariRun;
    const started = await t.graphql(START, { token: staff, variables: { input: input('run', 1_000) } });
    expect(started.errors).toBeUndefined();
    const id = (started.data?.['startPaymentBulkJob'] as { id: string }).id;
    await t.tributi.bulkJobsIdle();
    await t.tributi.flushOutbox();
    await expect.poll(() => progressOf(t!.events, id).at(-1)?.status).toBe('completed');
    const progress = progressOf(t.events, id);
    // Ten batches: one event for the first, then at most one a second, and the end.
    expect(progress.length).toBeGreaterThanOrEqual(1);
    expect(progress.length).toBeLessThanOrEqual(10);
    expect(progress.every((p) => p.total === 1_000 && p.processed % 100 === 0)).toBe(true);
    expect(progress.at(-1)).toEqual({ jobId: id, status: 'completed', processed: 1_000, total: 1_000 });
    expect(progress.map((p) => p.processed)).toEqual(
      [...progress.map((p) => p.processed)].sort((a, b) => a - b),
    );

    const other = await t.graphql(START, { token: staff, variables: { input: input('stopped', 300) } });
    const otherId = (other.data?.['startPaymentBulkJob'] as { id: string }).id;
    const cancelled = await t.graphql('mutation ($id: ID!) { cancelPaymentBulkJob(id: $id) { status } }', {
      token: staff,
      variables: { id: otherId },
    });
    if (cancelled.errors === undefined) {
      await t.tributi.bulkJobsIdle();
      await t.tributi.flushOutbox();
      await expect.poll(() => progressOf(t!.events, otherId).at(-1)?.status).toBe('cancelled');
    } else {
      // Completed first, on a fast machine: its end was told instead.
      expect(cancelled.errors[0]?.extensions?.['code']).toBe('CONFLICT');
      await t.tributi.flushOutbox();
      await expect.poll(() => progressOf(t!.events, otherId).at(-1)?.status).toBe('completed');
    }
  }, 60_000);

  it('steps back while work people wait for is going on: no batch starts until it ends', async () => {
    // The embedded hub's gate, held by foreground work (an alert being planned) for as long as it lasts.
    const gate = createForegroundGate({ maxDeferMs: 60_000 });
    t = await startTributi(driver, { bulkBatchSize: 100 }, { foreground: gate });
    const staff = await t.tokens.staff();
    const alert = gate.begin();
    const started = await t.graphql(START, {
      token: staff,
      variables: { input: tariRun('behind-an-alert', 300) },
    });
    expect(started.errors).toBeUndefined();
    const id = (started.data?.['startPaymentBulkJob'] as { id: string }).id;
    const processed = async () => {
      const answer = await t!.graphql('query ($id: ID!) { paymentBulkJob(id: $id) { status processed } }', {
        token: staff,
        variables: { id },
      });
      return answer.data?.['paymentBulkJob'] as { status: string; processed: number };
    };
    // The run is waiting at the start of its first batch.
    await expect.poll(() => gate.stats.deferred).toBeGreaterThan(0);
    expect(await processed()).toEqual({ status: 'QUEUED', processed: 0 });

    alert();
    await t.tributi.bulkJobsIdle();
    expect(await processed()).toEqual({ status: 'COMPLETED', processed: 300 });
  }, 60_000);

  it('goes on in short batches beside requests that keep coming', async () => {
    // Requests keep the embedded hub's gate busy: each batch waits its bound (1 ms), then goes ahead.
    const gate = createForegroundGate({ maxDeferMs: 1, freeMs: 0 });
    t = await startTributi(driver, { bulkBatchSize: 100 }, { foreground: gate });
    const staff = await t.tokens.staff();
    const requests = gate.begin();
    const started = await t.graphql(START, {
      token: staff,
      variables: { input: tariRun('beside-requests', 300) },
    });
    expect(started.errors).toBeUndefined();
    const id = (started.data?.['startPaymentBulkJob'] as { id: string }).id;
    await t.tributi.bulkJobsIdle();
    requests();
    // Every batch waited once: 300 positions went in batches of 25, not of 100.
    expect(gate.stats.deferred).toBe(12);
    await t.tributi.flushOutbox();
    // What staff following the run saw first: its first batch.
    await expect.poll(() => progressOf(t!.events, id)[0]?.processed).toBe(25);
  }, 60_000);
});

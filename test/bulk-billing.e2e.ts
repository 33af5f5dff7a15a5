import { request as httpRequest } from 'node:http';
import { generatePopulation } from '@sportello/hub';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devToken, graphql } from './support/graphql-client.js';
import { liveClients, type LiveClients, type LiveSubscription } from './support/live-client.js';
import { randomComune, startHub, type RunningHub } from './support/running-hub.js';

/**
 * The tributi office bills every household from its own system's export, through the public origin
 * as a remote office tool would: the billing file (far beyond the API's body limit) is uploaded to
 * `/payment-bulk-jobs`, sent again (a retry after a timeout) without billing anyone twice, a second
 * run is cancelled before it completes, and the positions reach the payers' own view. The office
 * follows its runs live over graphql-ws (`paymentBulkJobChanged`); citizens and apps may not.
 */

const JOB_CHANGED = `subscription ($id: ID) { paymentBulkJobChanged(id: $id) { id status processed total } }`;

interface JobUpdate {
  id: string;
  status: string;
  processed: number;
  total: number;
}

/** The updates a subscription received about one job. */
const updatesOf = (subscription: LiveSubscription, id: string): JobUpdate[] =>
  subscription.results
    .map((result) => result.data?.['paymentBulkJobChanged'] as JobUpdate | undefined)
    .filter((update): update is JobUpdate => update?.id === id);

const HOUSEHOLDS = 40;

describe.each(['embedded', 'distributed'] as const)('bulk billing through the gateway (%s mode)', (mode) => {
  let hub: RunningHub;
  let origin: string;
  let staff: string;
  let payers: string[];
  let live: LiveClients;

  beforeAll(async () => {
    const comune = mode === 'embedded' ? '999001' : randomComune();
    payers = generatePopulation({ households: HOUSEHOLDS, istat: comune }).people.map((p) => p.fiscalCode);
    hub = await startHub(mode, { households: HOUSEHOLDS, comune });
    origin = new URL(hub.api).origin;
    staff = (await devToken(hub.identity, { kind: 'staff', office: 'tributi' })).access_token;
    live = liveClients(hub.api);
  }, 330_000);

  afterAll(async () => {
    await live?.dispose();
    await hub?.stop();
  }, 90_000);

  const due = new Date(Date.now() + 60 * 86_400_000).toISOString().slice(0, 10);
  const upload = (key: string, body: string) =>
    fetch(
      `${origin}/payment-bulk-jobs?${new URLSearchParams({
        idempotencyKey: key,
        kind: 'TARI',
        year: '2027',
        description: 'TARI 2027 - acconto',
        dueDates: due,
      })}`,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${staff}`, 'content-type': 'text/csv' },
        body,
      },
    );
  const job = async (id: string) =>
    (
      await graphql<{ paymentBulkJob: { status: string; processed: number; total: number } }>(
        hub.api,
        'query ($id: ID!) { paymentBulkJob(id: $id) { status processed total } }',
        { token: staff, variables: { id } },
      )
    ).data!.paymentBulkJob;

  it('queues a billing file once however often it is sent, and the payers see their notices', async () => {
    // Padded descriptions: a file well beyond the 100 KB a GraphQL request may weigh.
    const pad = 'x'.repeat(80);
    const rows = payers.map((payer, i) => `${payer};${4_000 + i};TARI27-${mode}-${i};TARI 2027 ${pad}`);
    const lines = Array.from({ length: 15 }, (_, copy) =>
      rows.map((row) => row.replace(`TARI27-${mode}-`, `TARI27-${mode}-${copy}-`)),
    ).flat();
    // Only the first copy is billed: the others would bill the same payers again, so a second file.
    const csv = `payerFiscalCode;amountCents;externalRef;description\n${rows.join('\n')}\n`;
    const bigCsv = `payerFiscalCode;amountCents;externalRef;description\n${lines.join('\n')}\n`;
    expect(bigCsv.length).toBeGreaterThan(100_000);

    // The office follows every run of the comune live; a citizen and an app are refused.
    const open = await live.openSubscriptions();
    const office = live.subscribe(live.connect(staff), JOB_CHANGED);
    const citizenToken = (await devToken(hub.identity, { subject: payers[0]! })).access_token;
    const appToken = (await devToken(hub.identity, { kind: 'client' })).access_token;
    const byCitizen = live.subscribe(live.connect(citizenToken), JOB_CHANGED);
    const byApp = live.subscribe(live.connect(appToken), JOB_CHANGED, { id: 'any' });
    for (const refused of [byCitizen, byApp]) {
      await expect.poll(() => refused.errors.length, { timeout: 10_000 }).toBe(1);
      expect(refused.errors[0]).toEqual([
        expect.objectContaining({ extensions: expect.objectContaining({ code: 'FORBIDDEN' }) }),
      ]);
    }
    await expect.poll(() => live.openSubscriptions(), { timeout: 10_000 }).toBe(open + 1);

    const first = await upload(`tari-2027-${mode}`, csv);
    const answer = (await first.json()) as { job: { id: string; total: number } };
    expect(first.status, JSON.stringify(answer)).toBe(201);
    expect(answer.job.total).toBe(payers.length);
    // Heard live up to its end, with its counts: per batch (one here), never per position.
    await expect
      .poll(() => updatesOf(office, answer.job.id).at(-1), { timeout: 30_000 })
      .toEqual({ id: answer.job.id, status: 'COMPLETED', processed: payers.length, total: payers.length });
    expect(updatesOf(office, answer.job.id).length).toBeLessThanOrEqual(2);
    expect(byCitizen.results).toEqual([]);
    const again = await upload(`tari-2027-${mode}`, csv);
    expect(again.status).toBe(200);
    expect(((await again.json()) as { job: { id: string } }).job.id).toBe(answer.job.id);
    await expect.poll(async () => (await job(answer.job.id)).status, { timeout: 60_000 }).toBe('COMPLETED');

    const payer = payers[3]!;
    const citizen = (await devToken(hub.identity, { subject: payer })).access_token;
    const own = await graphql<{
      me: { paymentPositions: { nodes: Array<{ description: string; amountCents: number }> } };
    }>(hub.api, '{ me { paymentPositions(first: 50) { nodes { description amountCents } } } }', {
      token: citizen,
    });
    expect(own.errors).toBeUndefined();
    expect(own.data!.me.paymentPositions.nodes.filter((n) => n.description.startsWith('TARI 2027'))).toEqual([
      { description: `TARI 2027 ${pad}`, amountCents: 4_003 },
    ]);

    // A large file through the public origin (upload limit, not the API's body limit); cancelled.
    const big = await upload(`tari-2027-big-${mode}`, bigCsv);
    const bigJob = (await big.json()) as { job: { id: string; total: number } };
    expect(big.status, JSON.stringify(bigJob)).toBe(201);
    expect(bigJob.job.total).toBe(lines.length);
    const followed = live.subscribe(live.connect(staff), JOB_CHANGED, { id: bigJob.job.id });
    await expect.poll(() => live.openSubscriptions(), { timeout: 10_000 }).toBe(open + 2);
    const cancelled = await graphql<{ cancelPaymentBulkJob: { status: string } }>(
      hub.api,
      'mutation ($id: ID!) { cancelPaymentBulkJob(id: $id) { status } }',
      { token: staff, variables: { id: bigJob.job.id } },
    );
    // Cancelled, or completed just before (a fast machine): either way, never half-counted.
    if (cancelled.errors) expect(cancelled.errors[0]?.extensions?.['code']).toBe('CONFLICT');
    else {
      expect(cancelled.data!.cancelPaymentBulkJob.status).toBe('CANCELLED');
      // The office hears of the cancellation, on the job's own subscription and on the comune's.
      for (const subscription of [followed, office]) {
        await expect
          .poll(() => updatesOf(subscription, bigJob.job.id).at(-1)?.status, { timeout: 30_000 })
          .toBe('CANCELLED');
      }
    }
    expect(followed.results.every((result) => result.errors === undefined)).toBe(true);
  }, 120_000);

  it('streams 100,000 lines through the gateway, and refuses a file past the upload limit with nothing stored', async () => {
    const ndjson = (key: string, lines: number, description?: string) =>
      Array.from({ length: lines }, (_, i) =>
        JSON.stringify({
          payerFiscalCode: payers[i % payers.length],
          amountCents: 1_000 + (i % 500),
          externalRef: `${key}-${i}`,
          description,
        }),
      ).join('\n') + '\n';
    const params = (key: string) =>
      new URLSearchParams({
        idempotencyKey: key,
        kind: 'TARI',
        year: '2027',
        description: 'TARI 2027 - saldo',
        dueDates: due,
      });
    /** Sends the body in 64 KiB pieces without declaring its length, as a streaming client does. */
    const stream = (key: string, body: Buffer) =>
      new Promise<{ status: number; json: Record<string, unknown> }>((resolve, reject) => {
        const req = httpRequest(`${origin}/payment-bulk-jobs?${params(key)}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${staff}`, 'content-type': 'application/x-ndjson' },
        });
        req.on('response', (response) => {
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (text += chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, json: JSON.parse(text) }));
        });
        // Past the limit the gateway closes the connection while the rest is still being sent.
        req.on('error', (error) => (req.writableEnded ? undefined : reject(error)));
        void (async () => {
          for (let at = 0; at < body.length && !req.destroyed; at += 65_536) {
            await new Promise<void>((done) => req.write(body.subarray(at, at + 65_536), () => done()));
          }
          if (!req.destroyed) req.end();
        })().catch(() => undefined);
      });

    const large = Buffer.from(ndjson(`big-${mode}`, 100_000));
    const started = performance.now();
    const queued = await stream(`tari-2027-100k-${mode}`, large);
    expect(queued.status, JSON.stringify(queued.json)).toBe(201);
    const queuedJob = queued.json['job'] as { id: string; total: number };
    expect(queuedJob.total).toBe(100_000);
    console.info(
      `bulk billing (${mode}): ${(large.length / 1_048_576).toFixed(1)} MiB, 100,000 lines queued through the gateway in ${Math.round(performance.now() - started)} ms`,
    );
    const stopped = await graphql<{ cancelPaymentBulkJob: { status: string } }>(
      hub.api,
      'mutation ($id: ID!) { cancelPaymentBulkJob(id: $id) { status } }',
      { token: staff, variables: { id: queuedJob.id } },
    );
    expect(stopped.errors).toBeUndefined();

    // Past the gateway's upload limit (12 MiB): refused while it streams, and no job is queued. The
    // file holds fewer items than tributi's own limit (100,000), so the refusal is the gateway's.
    const tooLarge = Buffer.from(ndjson(`over-${mode}`, 90_000, 'TARI 2027 - saldo, '.repeat(3)));
    expect(tooLarge.length).toBeGreaterThan(12 * 1_048_576);
    expect(tooLarge.length).toBeLessThan(15 * 1_048_576);
    const refused = await stream(`tari-2027-over-${mode}`, tooLarge);
    expect(refused.status).toBe(413);
    expect(refused.json).toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      error: expect.stringContaining('nothing was stored'),
    });
    const jobs = await graphql<{ paymentBulkJobs: { nodes: Array<{ idempotencyKey: string }> } }>(
      hub.api,
      '{ paymentBulkJobs(first: 100) { nodes { idempotencyKey } } }',
      { token: staff },
    );
    expect(jobs.errors).toBeUndefined();
    const keys = jobs.data!.paymentBulkJobs.nodes.map((job) => job.idempotencyKey);
    expect(keys).toContain(`tari-2027-100k-${mode}`);
    expect(keys).not.toContain(`tari-2027-over-${mode}`);
  }, 180_000);
});

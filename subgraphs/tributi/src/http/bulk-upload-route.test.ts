import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTributi, type TestTributi } from '../test-support/harness.js';
import { addDays, civilDate } from '@sportello/platform';
import { payers } from '../test-support/payers.js';

describe('uploading a billing file (POST /payment-bulk-jobs)', () => {
  let t: TestTributi;
  let staff: string;
  const due = addDays(civilDate(new Date()), 45);
  const query = (key: string, kind = 'TARI') =>
    `/payment-bulk-jobs?idempotencyKey=${key}&kind=${kind}&year=2026&description=${encodeURIComponent('TARI 2026 - saldo')}&dueDates=${due}`;
  const upload = (path: string, body: string, contentType: string, token = staff) =>
    fetch(`${t.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': contentType, authorization: `Bearer ${token}` },
      body,
    });
  const positions = async () => {
    const totals = await t.graphql('{ paymentTotals(kind: TARI) { count } }', { token: staff });
    return (totals.data?.['paymentTotals'] as { count: number }[]).reduce((sum, row) => sum + row.count, 0);
  };

  beforeAll(async () => {
    t = await startTributi('sqlite', { bulkBatchSize: 200 });
    staff = await t.tokens.staff();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('queues a run from a CSV file as an office exports it, once however often it is sent', async () => {
    const [a, b, c] = payers(3);
    // A spreadsheet's export: BOM, semicolons, CRLF, a quoted description holding the separator.
    const csv =
      '\uFEFFpayerFiscalCode;amountCents;externalRef;description\r\n' +
      `${a};12050;TARI-26-1;\r\n` +
      `${b};8000;TARI-26-2;"TARI 2026; utenza non domestica"\r\n` +
      `\r\n${c};9900;TARI-26-3;\r\n`;
    const first = await upload(query('csv-run'), csv, 'text/csv; charset=utf-8');
    expect(first.status).toBe(201);
    const { job } = (await first.json()) as { job: { id: string; total: number; idempotencyKey: string } };
    expect(job).toMatchObject({ total: 3, idempotencyKey: 'csv-run' });
    const again = await upload(query('csv-run'), csv, 'text/csv');
    expect(again.status).toBe(200);
    expect(((await again.json()) as { job: { id: string } }).job.id).toBe(job.id);
    await t.tributi.bulkJobsIdle();
    expect(await positions()).toBe(3);
    const listed = await t.graphql(
      'query ($payer: FiscalCode!) { paymentPositions(filter: { payerFiscalCode: $payer }) { nodes { description amountCents externalRef } } }',
      { token: staff, variables: { payer: b } },
    );
    expect(listed.data?.['paymentPositions']).toEqual({
      nodes: [
        { description: 'TARI 2026; utenza non domestica', amountCents: 8000, externalRef: 'TARI-26-2' },
      ],
    });
  });

  it('takes 100,000 NDJSON lines in one upload, and the run can be cancelled', async () => {
    const before = await positions();
    const lines = payers(100_000).map((payerFiscalCode, index) =>
      JSON.stringify({ payerFiscalCode, amountCents: 10_000 + (index % 500) }),
    );
    const body = `${lines.join('\n')}\n`;
    expect(body.length).toBeGreaterThan(5_000_000);
    const answer = await upload(query('ndjson-100k'), body, 'application/x-ndjson');
    expect(answer.status).toBe(201);
    const { job } = (await answer.json()) as { job: { id: string; total: number } };
    expect(job.total).toBe(100_000);
    const cancelled = await t.graphql(
      'mutation ($id: ID!) { cancelPaymentBulkJob(id: $id) { status processed } }',
      { token: staff, variables: { id: job.id } },
    );
    expect(cancelled.data?.['cancelPaymentBulkJob']).toMatchObject({ status: 'CANCELLED' });
    await t.tributi.bulkJobsIdle();
    const final = await t.graphql('query ($id: ID!) { paymentBulkJob(id: $id) { status processed } }', {
      token: staff,
      variables: { id: job.id },
    });
    const { processed } = final.data?.['paymentBulkJob'] as { processed: number };
    expect(processed).toBeLessThan(100_000);
    expect(await positions()).toBe(before + processed);
  }, 120_000);

  it('names the line at fault, and refuses what is not a billing file or not for the caller', async () => {
    const [a, b] = payers(2);
    const bad = await upload(
      query('bad-line'),
      `payerFiscalCode,amountCents\n${a},100\n${b!.slice(0, 15)}X,200\n`,
      'text/csv',
    );
    expect(bad.status).toBe(400);
    const refusal = (await bad.json()) as { error: { code: string; message: string; field: string } };
    expect(refusal.error.code).toBe('BAD_USER_INPUT');
    expect(refusal.error.field).toMatch(/^line 3 \(payerFiscalCode\)/);
    expect(refusal.error.message).toContain('line 3');

    const noAmount = await upload(query('no-amount'), `payerFiscalCode;importo\n${a};100\n`, 'text/csv');
    expect(noAmount.status).toBe(400);
    expect(((await noAmount.json()) as { error: { message: string } }).error.message).toBe(
      'line 1: the header names no amountCents column',
    );
    const notJson = await upload(
      query('not-json'),
      `{"payerFiscalCode":"${a}","amountCents":1}\nnope\n`,
      'application/x-ndjson',
    );
    expect(((await notJson.json()) as { error: { message: string } }).error.message).toBe(
      'line 2: not a JSON object',
    );
    const excel = await upload(query('xlsx'), 'PK...', 'application/vnd.ms-excel');
    expect(excel.status).toBe(415);
    const noKey = await upload(
      query('').replace('idempotencyKey=&', ''),
      `payerFiscalCode,amountCents\n${a},1\n`,
      'text/csv',
    );
    expect(noKey.status).toBe(400);
    expect(((await noKey.json()) as { error: { field: string } }).error.field).toBe('idempotencyKey');
    // Refused from the declared length, before the body is read.
    const huge = await new Promise<{ status: number; json: unknown }>((resolve, reject) => {
      const request = httpRequest(`${t.url}${query('huge')}`, {
        method: 'POST',
        headers: {
          'content-type': 'text/csv',
          'content-length': String(20 * 1_048_576),
          authorization: `Bearer ${staff}`,
        },
      });
      request.on('response', (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => {
          resolve({ status: response.statusCode ?? 0, json: JSON.parse(text) });
          request.destroy();
        });
      });
      request.on('error', reject);
      request.write('payerFiscalCode,amountCents\n');
    });
    const tooLarge = {
      error: { code: 'PAYLOAD_TOO_LARGE', message: 'A billing file may be at most 15 MiB', field: 'body' },
    };
    expect(huge).toEqual({ status: 413, json: tooLarge });
    // Without a declared length: refused once the lines read pass a limit, the rest drained.
    const stream = (key: string, line: string) =>
      fetch(`${t.url}${query(key)}`, {
        method: 'POST',
        headers: { 'content-type': 'text/csv', authorization: `Bearer ${staff}` },
        body: new ReadableStream<Uint8Array>({
          start(controller) {
            const encoder = new TextEncoder();
            controller.enqueue(encoder.encode('payerFiscalCode,amountCents,description\n'));
            const chunk = encoder.encode(line.repeat(Math.ceil(65_536 / line.length)));
            for (let sent = 0; sent <= 16 * 1_048_576; sent += chunk.length) controller.enqueue(chunk);
            controller.close();
          },
        }),
        duplex: 'half',
      } as RequestInit);
    const longLines = await stream('streamed-bytes', `${a},100,${'x'.repeat(200)}\n`);
    expect(longLines.status).toBe(413);
    expect(await longLines.json()).toEqual(tooLarge);
    const shortLines = await stream('streamed-items', `${a},100,\n`);
    expect(shortLines.status).toBe(413);
    expect(await shortLines.json()).toEqual({
      error: { code: 'PAYLOAD_TOO_LARGE', message: 'At most 100000 items per file', field: 'body' },
    });
    const citizen = await upload(
      query('citizen'),
      `payerFiscalCode,amountCents\n${a},1\n`,
      'text/csv',
      await t.tokens.citizen(a!),
    );
    expect(citizen.status).toBe(403);
    const jobs = await t.graphql('{ paymentBulkJobs(first: 100) { totalCount nodes { idempotencyKey } } }', {
      token: staff,
    });
    const listed = jobs.data?.['paymentBulkJobs'] as {
      totalCount: number;
      nodes: { idempotencyKey: string }[];
    };
    expect(listed.nodes.map((j) => j.idempotencyKey).sort()).toEqual(['csv-run', 'ndjson-100k']);
    expect(listed.totalCount).toBe(2);
  });

  it('queues nothing from an upload cut short (the client gone, or the gateway past its limit)', async () => {
    const rows = payers(1_000).map((payer, i) => `${payer};${5_000 + i};CUT-${i}`);
    const csv = `payerFiscalCode;amountCents;externalRef\n${rows.join('\n')}\n`;
    // Half the file, with no declared length, then the connection breaks.
    await new Promise<void>((resolve) => {
      const request = httpRequest(`${t.url}${query('cut-short')}`, {
        method: 'POST',
        headers: { 'content-type': 'text/csv', authorization: `Bearer ${staff}` },
      });
      request.on('error', () => resolve());
      request.write(csv.slice(0, csv.length / 2), () => {
        request.destroy();
        resolve();
      });
    });
    // The whole file under the same key is new: nothing was kept of the first.
    const whole = await upload(query('cut-short'), csv, 'text/csv');
    expect(whole.status).toBe(201);
    expect(((await whole.json()) as { job: { total: number } }).job.total).toBe(1_000);
  });
});

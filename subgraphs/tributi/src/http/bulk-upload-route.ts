/**
 * The upload route of bulk runs: the tributi office sends its billing file (a TARI run for every
 * household) as it comes out of its own system, CSV or NDJSON, instead of a GraphQL mutation whose
 * JSON would not fit the API's body limit. The gateway forwards `POST /payment-bulk-jobs` with its
 * upload limit.
 */
import { createInterface } from 'node:readline';
import {
  answeringUpload,
  BadUserInputError,
  isClientError,
  UploadRefusal,
  uploadProblem,
  type ClientError,
  type Route,
  type ServiceRequest,
} from '@sportello/platform';
import type { PaymentKind } from '@sportello/schema';
import type { TributiContext } from '../context.js';
import { requireTributiStaff } from '../domain/access.js';
import { MAX_BULK_ITEMS, queueBulkJob, type NewBulkJob } from '../domain/bulk-jobs.js';
import { BulkJobEntity } from '../entities/bulk-job.entity.js';
import { PaymentKindEnum } from '../graphql/enums.js';
import { toBulkJobType } from '../graphql/payment-position.mapper.js';

/**
 * `POST /payment-bulk-jobs?idempotencyKey=<key>&kind=TARI&year=2026&description=<text>&dueDates=<d1,d2>`
 * with the items as the body: `Content-Type: application/x-ndjson` (one JSON object a line) or
 * `text/csv` (a header line naming the columns, `,` or `;` between them).
 */
export const BULK_UPLOAD_PATH = '/payment-bulk-jobs';

/** The largest billing file taken: 100,000 CSV lines are about 5 MB, as NDJSON about 10 MB. */
export const MAX_BULK_FILE_BYTES = 15 * 1_048_576;

/** The columns (CSV) or keys (NDJSON) of an item; the first two are required. */
const COLUMNS = ['payerFiscalCode', 'amountCents', 'externalRef', 'description'] as const;
type Column = (typeof COLUMNS)[number];

type Item = NewBulkJob['items'][number];

/** Splits a CSV line (RFC 4180 quoting) on `separator`. */
function csvCells(line: string, separator: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const char = line[i]!;
    if (quoted) {
      if (char === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"' && cell === '') quoted = true;
    else if (char === separator) {
      cells.push(cell);
      cell = '';
    } else cell += char;
  }
  cells.push(cell);
  return cells.map((value) => value.trim());
}

function itemOf(values: Partial<Record<Column, unknown>>, line: number): Item {
  const payer = values.payerFiscalCode;
  if (typeof payer !== 'string' || payer === '') {
    throw new BadUserInputError(`line ${line}: payerFiscalCode is missing`, { field: `line ${line}` });
  }
  const amount = typeof values.amountCents === 'string' ? Number(values.amountCents) : values.amountCents;
  if (typeof amount !== 'number' || !Number.isSafeInteger(amount)) {
    throw new BadUserInputError(`line ${line}: amountCents must be a whole number of cents`, {
      field: `line ${line}`,
    });
  }
  const text = (value: unknown, name: string): string | null => {
    if (value === undefined || value === null || value === '') return null;
    if (typeof value !== 'string') {
      throw new BadUserInputError(`line ${line}: ${name} must be text`, { field: `line ${line}` });
    }
    return value;
  };
  return {
    payerFiscalCode: payer,
    amountCents: amount,
    externalRef: text(values.externalRef, 'externalRef'),
    description: text(values.description, 'description'),
  };
}

/**
 * Reads the items line by line as the body arrives (never the whole file as one string), refusing
 * at once a file larger than {@link MAX_BULK_FILE_BYTES} or with more than {@link MAX_BULK_ITEMS}
 * items. Returns the items and, for each, its line in the file; `complete` is false when the body
 * ended before the file did (the client gone, or the gateway past its limit).
 * @throws {UploadRefusal} past the size or item limit.
 */
async function readItems(
  request: ServiceRequest,
  format: 'csv' | 'ndjson',
): Promise<{ items: Item[]; lines: number[]; complete: boolean }> {
  const declared = Number(request.header('content-length'));
  if (Number.isFinite(declared) && declared > MAX_BULK_FILE_BYTES) throw tooLarge();
  let bytes = 0;
  const raw = request.raw;
  const lines = createInterface({ input: raw, crlfDelay: Infinity });
  raw.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    if (bytes > MAX_BULK_FILE_BYTES) lines.close();
  });
  const items: Item[] = [];
  const itemLines: number[] = [];
  let header: { columns: (Column | undefined)[]; separator: string } | undefined;
  let number = 0;
  try {
    for await (const text of lines) {
      number++;
      const line = number === 1 ? text.replace(/^\uFEFF/, '') : text;
      if (line.trim() === '') continue;
      if (format === 'csv' && header === undefined) {
        const separator = line.includes(';') ? ';' : ',';
        const names = csvCells(line, separator);
        const columns = names.map((name) =>
          COLUMNS.find((column) => column.toLowerCase() === name.toLowerCase()),
        );
        for (const required of ['payerFiscalCode', 'amountCents'] as const) {
          if (!columns.includes(required)) {
            throw new BadUserInputError(`line 1: the header names no ${required} column`, {
              field: 'line 1',
            });
          }
        }
        header = { columns, separator };
        continue;
      }
      if (items.length === MAX_BULK_ITEMS) {
        throw new UploadRefusal(413, 'PAYLOAD_TOO_LARGE', `At most ${MAX_BULK_ITEMS} items per file`, 'body');
      }
      if (format === 'csv') {
        const cells = csvCells(line, header!.separator);
        const values: Partial<Record<Column, string>> = {};
        header!.columns.forEach((column, index) => {
          if (column !== undefined) values[column] = cells[index];
        });
        items.push(itemOf(values, number));
      } else {
        let parsed: unknown;
        try {
          parsed = JSON.parse(line);
        } catch {
          throw new BadUserInputError(`line ${number}: not a JSON object`, { field: `line ${number}` });
        }
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
          throw new BadUserInputError(`line ${number}: not a JSON object`, { field: `line ${number}` });
        }
        items.push(itemOf(parsed as Partial<Record<Column, unknown>>, number));
      }
      itemLines.push(number);
    }
  } catch (error) {
    // The connection broke mid-file (the client, or the gateway past its limit): nothing is queued.
    if (error instanceof UploadRefusal || isClientError(error) || raw.complete) throw error;
  }
  if (bytes > MAX_BULK_FILE_BYTES) throw tooLarge();
  return { items, lines: itemLines, complete: raw.complete };
}

function tooLarge(): UploadRefusal {
  return new UploadRefusal(
    413,
    'PAYLOAD_TOO_LARGE',
    `A billing file may be at most ${MAX_BULK_FILE_BYTES / 1_048_576} MiB`,
    'body',
  );
}

/**
 * The answer to a refusal of the run (400 for its items, 409 for a key used for another run), its
 * item indexes (`input.items.12.amountCents`) named as the file's lines, with its violations and
 * the job it conflicts with.
 */
function runRefusal(error: ClientError, lines: number[]) {
  const toLine = (text: string) =>
    text.replace(/input\.items\.(\d+)\.(\w+)/g, (_, index: string, field: string) => {
      const line = lines[Number(index)];
      return line === undefined ? `items.${index}.${field}` : `line ${line} (${field})`;
    });
  const violations = Array.isArray(error.extensions['violations'])
    ? (error.extensions['violations'] as { field: string; message: string }[]).map((v) => ({
        field: toLine(v.field),
        message: v.message,
      }))
    : undefined;
  const field = typeof error.extensions['field'] === 'string' ? toLine(error.extensions['field']) : undefined;
  return uploadProblem(
    error.code === 'CONFLICT' ? 409 : 400,
    error.code,
    toLine(error.message),
    field?.replace(/^input\./, ''),
    {
      ...(violations === undefined ? {} : { violations }),
      ...(typeof error.extensions['jobId'] === 'string' ? { jobId: error.extensions['jobId'] } : {}),
    },
  );
}

function parameter(params: URLSearchParams, name: string): string {
  const value = params.get(name)?.trim() ?? '';
  if (value === '') throw new BadUserInputError(`Give the ${name} query parameter`, { field: name });
  return value;
}

/**
 * `POST /payment-bulk-jobs`: queues a bulk run from a billing file, through the same domain function
 * as the `startPaymentBulkJob` mutation (same checks, same idempotency), for the same callers
 * (tributi staff). Refusals are answered as every upload route answers them (`answeringUpload`),
 * the file read line by line as it arrives all the same. Answers 201 with `{ job }` (200 when the
 * key already queued this run), or `{ error: { code, message, field, violations } }` naming the
 * file's lines: 400, 401, 403, 409 (the key was used for another run), 413 (beyond the size or item
 * limit, refused as soon as it is passed), 415 (neither CSV nor NDJSON).
 */
export function bulkUploadRoute(context: (request: ServiceRequest) => Promise<TributiContext>): Route {
  return {
    method: 'POST',
    path: BULK_UPLOAD_PATH,
    handler: (request) =>
      answeringUpload(request, async () => {
        const ctx = await context(request);
        const actor = requireTributiStaff(ctx);
        const declared = request.header('content-type')?.split(';')[0]?.trim().toLowerCase();
        const format =
          declared === 'text/csv' ? 'csv' : declared === 'application/x-ndjson' ? 'ndjson' : null;
        if (format === null) {
          throw new UploadRefusal(
            415,
            'UNSUPPORTED_MEDIA_TYPE',
            `Send the billing file as text/csv or application/x-ndjson${declared ? `, not ${declared}` : ''}`,
            'content-type',
          );
        }
        const params = request.url.searchParams;
        const kindName = parameter(params, 'kind');
        const kind = (PaymentKindEnum as Record<string, string>)[kindName];
        if (kind === undefined) {
          throw new BadUserInputError(`kind must be one of ${Object.keys(PaymentKindEnum).join(', ')}`, {
            field: 'kind',
          });
        }
        const year = Number(parameter(params, 'year'));
        if (!Number.isInteger(year)) throw new BadUserInputError('year must be a year', { field: 'year' });
        const input = {
          idempotencyKey: parameter(params, 'idempotencyKey'),
          kind: kind as PaymentKind,
          year,
          description: parameter(params, 'description'),
          dueDates: parameter(params, 'dueDates')
            .split(',')
            .map((date) => date.trim()),
        };
        await ctx.creditor();
        const { items, lines, complete } = await readItems(request, format);
        if (!complete) {
          return uploadProblem(
            400,
            'INCOMPLETE_UPLOAD',
            'The billing file was cut short before its end: nothing was queued, send it again',
            'body',
          );
        }
        const before = await ctx.em.count(BulkJobEntity, { idempotencyKey: input.idempotencyKey });
        try {
          const job = await queueBulkJob(
            ctx.em,
            { ...input, items },
            {
              comune: ctx.comune,
              createdBy: `staff:${actor.id}`,
              now: ctx.now,
              fineRules: ctx.settings.fineRules,
            },
          );
          ctx.bulkJobs.kick();
          return { status: before > 0 ? 200 : 201, json: { job: toBulkJobType(job) } };
        } catch (error) {
          if (isClientError(error)) return runRefusal(error, lines);
          throw error;
        }
      }),
  };
}

import DataLoader from 'dataloader';
import type { EntityManager } from '@sportello/platform';
import { AttachmentEntity, type Attachment } from '../entities/attachment.entity.js';
import {
  CitizenAliasEntity,
  IntegrationRequestEntity,
  PracticeChangeEntity,
  PracticeEntity,
  PracticeFeeEntity,
  PracticeMessageEntity,
  type IntegrationRequest,
  type Practice,
  type PracticeChange,
  type PracticeFee,
  type PracticeMessage,
} from '../entities/practice.entity.js';
import { isPracticeId } from './practice-operations.js';
import { PracticeTypeEntity, type PracticeType } from '../entities/practice-type.entity.js';
import { ReportChangeEntity, type ReportChange } from '../entities/report.entity.js';

/**
 * Per-request loaders behind the list fields: the field resolvers of sibling practices (or reports)
 * ask in the same tick, and each loader answers all of them with one statement, so the statements
 * behind a list do not grow with its length.
 *
 * They batch but never cache: a mutation earlier in the same request may have changed what they
 * read (a timeline, an alias just created), and a stale answer would be wrong.
 */
export interface PracticeLoaders {
  /** Practices by id (null when none, not a UUID, or not in the request's comune). */
  practice: DataLoader<string, Practice | null>;
  /** Practice types by code, active or not: a practice keeps the type it was opened with. */
  practiceType: DataLoader<string, PracticeType | null>;
  /** A practice's fee record (null before its fee is asked for or exempted). */
  fee: DataLoader<string, PracticeFee | null>;
  /** A practice's changes of state, oldest first. */
  timeline: DataLoader<string, PracticeChange[]>;
  /** A practice's messages, oldest first. */
  messages: DataLoader<string, PracticeMessage[]>;
  /** A practice's attachments, oldest first. */
  attachments: DataLoader<string, Attachment[]>;
  /** A practice's integration requests, oldest first. */
  integrationRequests: DataLoader<string, IntegrationRequest[]>;
  /** A report's changes of status, oldest first. */
  reportHistory: DataLoader<string, ReportChange[]>;
  /** A report's photos, oldest first. */
  reportPhotos: DataLoader<string, Attachment[]>;
  /** A citizen's pseudonym by (upper-case) fiscal code; never creates one. */
  citizenAlias: DataLoader<string, string | null>;
}

/** The largest batch: keeps the `in (...)` list well under every driver's parameter limit. */
const MAX_BATCH = 500;

/** Rows grouped by `keyOf`, keeping the rows' order within each group. */
function groupBy<Row>(rows: Row[], keyOf: (row: Row) => string | null | undefined): Map<string, Row[]> {
  const groups = new Map<string, Row[]>();
  for (const row of rows) {
    const key = keyOf(row);
    if (key == null) continue;
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [row]);
    else group.push(row);
  }
  return groups;
}

/** Loaders reading through `em` (the request's comune-scoped EntityManager). */
export function createPracticeLoaders(em: EntityManager): PracticeLoaders {
  const batched = <Value>(
    load: (unique: string[]) => Promise<(key: string) => Value>,
  ): DataLoader<string, Value> =>
    new DataLoader<string, Value>(
      async (keys) => {
        const answer = await load([...new Set(keys)]);
        return keys.map(answer);
      },
      { cache: false, maxBatchSize: MAX_BATCH },
    );
  const lists = <Row>(
    find: (ids: string[]) => Promise<Row[]>,
    keyOf: (row: Row) => string | null | undefined,
  ): DataLoader<string, Row[]> =>
    batched(async (ids) => {
      const groups = groupBy(await find(ids), keyOf);
      return (id) => groups.get(id) ?? [];
    });

  return {
    practice: batched(async (ids) => {
      const valid = ids.filter(isPracticeId);
      const rows = valid.length === 0 ? [] : await em.find(PracticeEntity, { id: { $in: valid } });
      const byId = new Map(rows.map((row) => [row.id.toLowerCase(), row]));
      return (id) => (isPracticeId(id) ? (byId.get(id.toLowerCase()) ?? null) : null);
    }),
    practiceType: batched(async (codes) => {
      const rows = await em.find(PracticeTypeEntity, { code: { $in: codes } });
      const byCode = new Map(rows.map((row) => [row.code, row]));
      return (code) => byCode.get(code) ?? null;
    }),
    fee: batched(async (ids) => {
      const valid = ids.filter(isPracticeId);
      const rows = valid.length === 0 ? [] : await em.find(PracticeFeeEntity, { practiceId: { $in: valid } });
      const byId = new Map(rows.map((row) => [row.practiceId.toLowerCase(), row]));
      return (id) => byId.get(id.toLowerCase()) ?? null;
    }),
    timeline: lists(
      (ids) => em.find(PracticeChangeEntity, { practiceId: { $in: ids } }, { orderBy: { sequence: 'asc' } }),
      (row) => row.practiceId,
    ),
    messages: lists(
      (ids) =>
        em.find(
          PracticeMessageEntity,
          { practiceId: { $in: ids } },
          { orderBy: { postedAt: 'asc', id: 'asc' } },
        ),
      (row) => row.practiceId,
    ),
    attachments: lists(
      (ids) =>
        em.find(
          AttachmentEntity,
          { practiceId: { $in: ids } },
          { orderBy: { uploadedAt: 'asc', id: 'asc' } },
        ),
      (row) => row.practiceId,
    ),
    integrationRequests: lists(
      (ids) =>
        em.find(IntegrationRequestEntity, { practiceId: { $in: ids } }, { orderBy: { requestedAt: 'asc' } }),
      (row) => row.practiceId,
    ),
    reportHistory: lists(
      (ids) => em.find(ReportChangeEntity, { reportId: { $in: ids } }, { orderBy: { at: 'asc', id: 'asc' } }),
      (row) => row.reportId,
    ),
    reportPhotos: lists(
      (ids) => em.find(AttachmentEntity, { reportId: { $in: ids } }, { orderBy: { uploadedAt: 'asc' } }),
      (row) => row.reportId,
    ),
    citizenAlias: batched(async (codes) => {
      const rows = await em.find(CitizenAliasEntity, { fiscalCode: { $in: codes } });
      const byCode = new Map(rows.map((row) => [row.fiscalCode, row.id]));
      return (code) => byCode.get(code) ?? null;
    }),
  };
}

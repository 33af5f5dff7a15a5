import { UniqueConstraintViolationException } from '@mikro-orm/core';
import {
  recordEvent,
  type Database,
  type EntityManager,
  addDays,
  daysBetween,
  type IsoDate,
} from '@sportello/platform';
import {
  DEFAULT_REMINDER_OFFSETS,
  dueReminderOffset,
  PAPER_CARD_LAST_VALID_DAY,
} from '../domain/identity-document.js';
import {
  DocumentReminderEntity,
  IdentityDocumentEntity,
  type IdentityDocument,
} from '../entities/identity-document.entity.js';
import { documentExpiredEvent, documentExpiringEvent } from '../events/anagrafe-events.js';

/** Options of {@link runDocumentExpiryJob}. */
export interface DocumentExpiryJobOptions {
  /** The comune's calendar day the job runs for. */
  today: IsoDate;
  /** Days before expiry at which to remind. @default [180, 30, 7] */
  offsetsDays?: readonly number[];
  /**
   * Documents that expired longer ago get no `document.expired`, except paper cards the law made
   * invalid on 2026-08-03 (their holders are told once, however late). @default 30
   */
  expiredNoticeLookbackDays?: number;
  /** `occurredAt` of the events. @default now */
  now?: Date;
  /** Documents handled per transaction. @default 500 */
  batchSize?: number;
}

/** What one run emitted. */
export interface DocumentExpiryJobResult {
  expiring: number;
  expired: number;
}

/** Which reminder ids are already recorded for a document: `expired` or the offset. */
type Sent = Map<string, Set<string>>;

const EXPIRED_KEY = 'expired';
const EXPIRED_OFFSET = -1;

/** A paper card whose printed date was later: EU law, not the card, ended it on 2026-08-03. */
function invalidatedByLaw(document: IdentityDocument): boolean {
  return document.kind === 'paper' && document.expiresOn === PAPER_CARD_LAST_VALID_DAY;
}

async function sentReminders(em: EntityManager, documentIds: string[]): Promise<Sent> {
  const rows = await em.find(DocumentReminderEntity, { documentId: { $in: documentIds } });
  const sent: Sent = new Map();
  for (const row of rows) {
    const keys = sent.get(row.documentId) ?? new Set<string>();
    keys.add(row.kind === 'expired' ? EXPIRED_KEY : String(row.offsetDays));
    sent.set(row.documentId, keys);
  }
  return sent;
}

/** Records the reminders due for one batch; returns what it emitted. */
async function remindBatch(
  em: EntityManager,
  documents: IdentityDocument[],
  options: Required<Omit<DocumentExpiryJobOptions, 'batchSize'>>,
): Promise<DocumentExpiryJobResult> {
  const result = { expiring: 0, expired: 0 };
  const sent = await sentReminders(
    em,
    documents.map((document) => document.id),
  );
  for (const document of documents) {
    const already = sent.get(document.id) ?? new Set<string>();
    const daysLeft = daysBetween(options.today, document.expiresOn);
    if (daysLeft < 0) {
      const tooLate = -daysLeft > options.expiredNoticeLookbackDays + 1 && !invalidatedByLaw(document);
      if (already.has(EXPIRED_KEY) || tooLate) continue;
      const event = documentExpiredEvent(document, options.now);
      recordEvent(em, event);
      em.create(DocumentReminderEntity, {
        comune: document.comune,
        documentId: document.id,
        kind: 'expired',
        offsetDays: EXPIRED_OFFSET,
        eventId: event.id,
        sentOn: options.today,
      });
      result.expired += 1;
      continue;
    }
    const offset = dueReminderOffset(daysLeft, options.offsetsDays);
    if (offset === null || already.has(String(offset))) continue;
    const event = documentExpiringEvent(document, daysLeft, options.now);
    recordEvent(em, event);
    em.create(DocumentReminderEntity, {
      comune: document.comune,
      documentId: document.id,
      kind: 'expiring',
      offsetDays: offset,
      eventId: event.id,
      sentOn: options.today,
    });
    result.expiring += 1;
  }
  return result;
}

/**
 * The daily reminder job, for every comune of the database: emits `document.expiring` when a
 * document reaches one of the offsets (180, 30 and 7 days before expiry by default) and
 * `document.expired` once it has expired. Each reminder is recorded in the same transaction as its
 * outbox event, so running the job twice on a day, after a crash, or on two replicas at once emits
 * each reminder once. A document first seen after several offsets gets only the latest one.
 * Documents replaced by a newer one are skipped.
 */
export async function runDocumentExpiryJob(
  database: Database,
  options: DocumentExpiryJobOptions,
): Promise<DocumentExpiryJobResult> {
  const settings = {
    today: options.today,
    offsetsDays: options.offsetsDays ?? DEFAULT_REMINDER_OFFSETS,
    expiredNoticeLookbackDays: options.expiredNoticeLookbackDays ?? 30,
    now: options.now ?? new Date(),
  };
  const batchSize = options.batchSize ?? 500;
  const horizon = addDays(settings.today, Math.max(0, ...settings.offsetsDays));
  const oldest = addDays(settings.today, -(settings.expiredNoticeLookbackDays + 1));
  const total = { expiring: 0, expired: 0 };
  let after: string | null = null;
  for (;;) {
    const reader = database.forkUnscoped();
    const documents: IdentityDocument[] = await reader.find(
      IdentityDocumentEntity,
      {
        replacedAt: null,
        $or: [
          { expiresOn: { $gte: oldest, $lte: horizon } },
          { kind: 'paper', expiresOn: PAPER_CARD_LAST_VALID_DAY },
        ],
        ...(after === null ? {} : { id: { $gt: after } }),
      },
      { orderBy: { id: 'asc' }, limit: batchSize },
    );
    if (documents.length === 0) break;
    after = documents.at(-1)!.id;
    const ids = documents.map((document) => document.id);
    for (let attempt = 1; ; attempt++) {
      try {
        const done = await database.forkUnscoped().transactional(async (em) => {
          const batch = await em.find(IdentityDocumentEntity, { id: { $in: ids } });
          return remindBatch(em, batch, settings);
        });
        total.expiring += done.expiring;
        total.expired += done.expired;
        break;
      } catch (error) {
        // Another run recorded some of these reminders first: read them again and send the rest.
        if (!(error instanceof UniqueConstraintViolationException) || attempt >= 3) throw error;
      }
    }
    if (documents.length < batchSize) break;
  }
  return total;
}

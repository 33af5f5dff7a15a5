/**
 * Ordinance use cases: drafts, publication (number assignment + outbox event in one transaction),
 * and the reads the public may make.
 */
import { QueryOrder } from '@mikro-orm/core';
import { recordEvent, type EntityManager } from '@sportello/platform';
import type { Actor } from '@sportello/schema';
import { AlertEntity } from '../entities/alert.entity.js';
import { OrdinanceEntity, type Ordinance } from '../entities/ordinance.entity.js';
import { invalidInput, ordinanceNotFound, publishedOrdinanceIsImmutable } from '../errors.js';
import { ordinancePublishedEvent } from '../events/civil-protection-events.js';
import {
  checkOrdinanceDraft,
  formatOrdinanceNumber,
  isInForce,
  publicationBlockers,
  type CheckedOrdinanceDraft,
  type OrdinanceDraft,
} from './ordinance.js';
import { ordinanceDocumentUrl } from '../http/feeds/feed-urls.js';
import { isPublicId } from './ids.js';
import { documentsOf } from './ordinance-documents.js';
import { loadZones, zoneCodeSet } from './zones.js';

/** A draft plus its links to an alert and to the ordinance it corrects. */
export interface OrdinanceDraftRequest extends Omit<OrdinanceDraft, 'adoptedOn'> {
  /** Adoption day `YYYY-MM-DD`. */
  adoptedOn?: string | null;
  alertId?: string | null;
  correctsId?: string | null;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

function dayToDate(day: string | null | undefined): Date | null {
  if (day === null || day === undefined) return null;
  const date = new Date(`${day}T00:00:00Z`);
  return DAY.test(day) && !Number.isNaN(date.getTime()) && date.toISOString().startsWith(day)
    ? date
    : new Date(Number.NaN);
}

async function checkDraft(em: EntityManager, request: OrdinanceDraftRequest, selfId: string | null) {
  const result = checkOrdinanceDraft(
    { ...request, adoptedOn: dayToDate(request.adoptedOn) },
    await zoneCodeSet(em),
  );
  const violations = result.ok ? [] : [...result.violations];
  if (request.alertId !== undefined && request.alertId !== null) {
    if (!isPublicId(request.alertId) || (await em.findOne(AlertEntity, { id: request.alertId })) === null) {
      violations.push({ field: 'alertId', message: `no alert with id ${request.alertId} in this comune` });
    }
  }
  if (request.correctsId !== undefined && request.correctsId !== null) {
    const corrected = isPublicId(request.correctsId)
      ? await em.findOne(OrdinanceEntity, { id: request.correctsId })
      : null;
    if (corrected === null || corrected.status !== 'published' || corrected.id === selfId) {
      violations.push({
        field: 'correctsId',
        message: 'an ordinance can only correct a published ordinance of this comune',
      });
    }
  }
  if (!result.ok || violations.length > 0) throw invalidInput(violations);
  return result.draft;
}

function columns(draft: CheckedOrdinanceDraft, request: OrdinanceDraftRequest) {
  return {
    subject: draft.subject,
    legalBasis: draft.legalBasis,
    reasons: draft.reasons,
    measures: draft.measures,
    effectiveFrom: draft.effectiveFrom,
    effectiveUntil: draft.effectiveUntil,
    scopeKind: draft.scope.kind,
    zoneCodes: draft.scope.kind === 'zones' ? draft.scope.zoneCodes : [],
    streets: draft.scope.kind === 'streets' ? draft.scope.streets : [],
    enforcingBody: draft.enforcingBody,
    protocolNumber: draft.protocolNumber,
    adoptedOn: draft.adoptedOn === null ? null : draft.adoptedOn.toISOString().slice(0, 10),
    appealClause: draft.appealClause,
    addressees: draft.addressees,
    alertId: request.alertId ?? null,
    correctsId: request.correctsId ?? null,
  };
}

/** Creates a draft, visible to civil-protection staff only. @throws BadUserInputError */
export async function createOrdinanceDraft(
  em: EntityManager,
  comune: string,
  actor: Actor,
  request: OrdinanceDraftRequest,
  now: Date,
): Promise<Ordinance> {
  const draft = await checkDraft(em, request, null);
  const ordinance = em.create(OrdinanceEntity, {
    comune,
    status: 'draft',
    number: null,
    year: null,
    publishedAt: null,
    createdBy: actor.id,
    createdAt: now,
    updatedAt: now,
    ...columns(draft, request),
  });
  await em.flush();
  return ordinance;
}

function assertDraft(ordinance: Ordinance): void {
  if (ordinance.status === 'published') {
    throw publishedOrdinanceIsImmutable(
      ordinance.id,
      formatOrdinanceNumber(ordinance.number ?? 0, ordinance.year ?? 0),
    );
  }
}

/** Rewrites a draft. @throws NotFoundError, ConflictError (published), BadUserInputError */
export async function updateOrdinanceDraft(
  em: EntityManager,
  id: string,
  request: OrdinanceDraftRequest,
  now: Date,
): Promise<Ordinance> {
  const ordinance = isPublicId(id) ? await em.findOne(OrdinanceEntity, { id }) : null;
  if (ordinance === null) throw ordinanceNotFound(id);
  assertDraft(ordinance);
  const draft = await checkDraft(em, request, id);
  em.assign(ordinance, { ...columns(draft, request), updatedAt: now });
  await em.flush();
  return ordinance;
}

/** How often publication retries when another publication took the same number meanwhile. */
const NUMBER_ATTEMPTS = 5;

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Error && error.name === 'UniqueConstraintViolationException';
}

/**
 * Publishes a draft: assigns the next register number of its adoption year, stamps the
 * publication time and records `ordinance.published` (with its measures and the public URLs of its
 * documents), all in one transaction. From then on the ordinance and its documents are public and
 * immutable.
 *
 * @param publicUrl the public origin the documents are served on
 * @throws NotFoundError, ConflictError (already published), BadUserInputError (not registered or adopted)
 */
export async function publishOrdinance(
  em: EntityManager,
  id: string,
  actor: Actor,
  now: Date,
  publicUrl: string,
): Promise<Ordinance> {
  if (!isPublicId(id)) throw ordinanceNotFound(id);
  for (let attempt = 1; ; attempt += 1) {
    const work = em.fork();
    try {
      const publishedId = await work.transactional(async (tx) => {
        const ordinance = await tx.findOne(OrdinanceEntity, { id });
        if (ordinance === null) throw ordinanceNotFound(id);
        assertDraft(ordinance);
        const blockers = publicationBlockers(
          {
            status: ordinance.status,
            protocolNumber: ordinance.protocolNumber ?? null,
            adoptedOn: dayToDate(ordinance.adoptedOn),
          },
          now,
        );
        if (blockers.length > 0) throw invalidInput(blockers, 'ordinance');
        const year = Number(ordinance.adoptedOn!.slice(0, 4));
        const last = await tx.findOne(
          OrdinanceEntity,
          { year, number: { $ne: null } },
          { orderBy: { number: 'desc' }, fields: ['number'] },
        );
        tx.assign(ordinance, {
          status: 'published',
          year,
          number: (last?.number ?? 0) + 1,
          publishedAt: now,
          updatedAt: now,
        });
        const zoneNames = new Map((await loadZones(tx)).map((zone) => [zone.code, zone.name]));
        const documentUrls = (await documentsOf(tx, ordinance.id)).map((document) =>
          ordinanceDocumentUrl(publicUrl, ordinance.comune, document.id),
        );
        recordEvent(tx, ordinancePublishedEvent(ordinance, actor, now, { zoneNames, documentUrls }));
        return ordinance.id;
      });
      const published = await em.findOne(OrdinanceEntity, { id: publishedId }, { refresh: true });
      if (published === null) throw ordinanceNotFound(id);
      return published;
    } catch (error) {
      // Two publications in the same year raced for a number: the unique index let one win.
      if (isUniqueViolation(error) && attempt < NUMBER_ATTEMPTS) continue;
      throw error;
    }
  }
}

/** Which ordinances a list shows. */
export interface OrdinanceFilter {
  year?: number | null;
  inForce?: boolean | null;
  /** Only honoured for civil-protection staff. */
  includeDrafts: boolean;
}

/** Ordinances, newest first: published ones for everybody, drafts too when asked by staff. */
export async function listOrdinances(
  em: EntityManager,
  filter: OrdinanceFilter,
  now: Date,
): Promise<Ordinance[]> {
  const rows = await em.find(
    OrdinanceEntity,
    {
      ...(filter.includeDrafts ? {} : { status: 'published' }),
      ...(filter.year === undefined || filter.year === null ? {} : { year: filter.year }),
    },
    { orderBy: { publishedAt: QueryOrder.DESC_NULLS_FIRST, createdAt: QueryOrder.DESC } },
  );
  if (filter.inForce === undefined || filter.inForce === null) return rows;
  return rows.filter(
    (row) => isInForce({ ...row, effectiveUntil: row.effectiveUntil ?? null }, now) === filter.inForce,
  );
}

/** One ordinance, or NOT_FOUND when it does not exist or is a draft the caller may not see. */
export async function findOrdinance(
  em: EntityManager,
  id: string,
  canSeeDrafts: boolean,
): Promise<Ordinance> {
  const ordinance = isPublicId(id) ? await em.findOne(OrdinanceEntity, { id }) : null;
  if (ordinance === null || (ordinance.status === 'draft' && !canSeeDrafts)) throw ordinanceNotFound(id);
  return ordinance;
}

/** Published ordinances that correct the given one. */
export async function correctionsOf(em: EntityManager, id: string): Promise<Ordinance[]> {
  return em.find(
    OrdinanceEntity,
    { correctsId: id, status: 'published' },
    { orderBy: { publishedAt: 'asc' } },
  );
}

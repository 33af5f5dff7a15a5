/** Citizen reports (segnalazioni): filed by citizens, moved along by the office, the reporter told. */
import { OptimisticLockError } from '@mikro-orm/core';
import {
  BadUserInputError,
  ConflictError,
  isInTerritory,
  NotFoundError,
  recordEvent,
  type EntityManager,
  type TerritoryGeometry,
} from '@sportello/platform';
import { createEvent, type Actor, type ReportStatus } from '@sportello/schema';
import { ComuneTerritoryEntity } from '../entities/comune-territory.entity.js';
import { ReportChangeEntity, ReportEntity, type Report } from '../entities/report.entity.js';
import type { FieldViolation } from '../errors.js';
import { invalidInput } from '../errors.js';
import type { TerritoryCache } from './territory-cache.js';

/** The office whose staff handle reports. */
export const REPORTS_OFFICE = 'practices';

/** What citizens can report. */
export const REPORT_CATEGORIES = [
  'road-damage',
  'street-lighting',
  'waste',
  'green-areas',
  'graffiti',
  'road-signs',
  'water-leak',
  'noise',
  'abandoned-vehicle',
  'other',
] as const;

/** Where a report may go next from each status. */
export const REPORT_TRANSITIONS: Readonly<Record<ReportStatus, readonly ReportStatus[]>> = {
  received: ['taken-in-charge', 'rejected'],
  'taken-in-charge': ['in-progress', 'resolved', 'rejected'],
  'in-progress': ['resolved', 'rejected'],
  resolved: [],
  rejected: [],
};

/**
 * Where a report can be: Italy's bounding box (Lampedusa 35.49 N to Vetta d'Italia 47.09 N, 6.62 E
 * in the western Alps to Punta Palascìa 18.52 E), a little rounded out. A point at (0, 0) or
 * elsewhere in the world is an app that had no position or swapped the coordinates.
 */
export const ITALY_BOUNDS = { latitude: [35.4, 47.1], longitude: [6.6, 18.6] } as const;

export interface ReportInput {
  category: string;
  description: string;
  latitude: number;
  longitude: number;
  address?: string | null;
  /** File without leaving the reporter's fiscal code (no updates then). */
  anonymous?: boolean | null;
}

/** Problems with a new report, each naming its field. */
export function checkReport(input: ReportInput): FieldViolation[] {
  const problems: FieldViolation[] = [];
  if (!(REPORT_CATEGORIES as readonly string[]).includes(input.category)) {
    problems.push({ field: 'category', message: `must be one of ${REPORT_CATEGORIES.join(', ')}` });
  }
  const description = input.description.trim();
  if (description.length < 10 || description.length > 4000) {
    problems.push({ field: 'description', message: 'describe the problem in 10 to 4000 characters' });
  }
  const { latitude, longitude } = ITALY_BOUNDS;
  if (!Number.isFinite(input.latitude) || input.latitude < latitude[0] || input.latitude > latitude[1]) {
    problems.push({
      field: 'latitude',
      message: `must be in Italy, between ${latitude[0]} and ${latitude[1]} (WGS84 degrees; 0 means no position)`,
    });
  }
  if (!Number.isFinite(input.longitude) || input.longitude < longitude[0] || input.longitude > longitude[1]) {
    problems.push({
      field: 'longitude',
      message: `must be in Italy, between ${longitude[0]} and ${longitude[1]} (WGS84 degrees; 0 means no position)`,
    });
  }
  if (input.address != null && input.address.length > 300) {
    problems.push({ field: 'address', message: 'must be 300 characters at most' });
  }
  return problems;
}

function statusChanged(
  report: Report,
  from: ReportStatus | null,
  note: string | null,
  actor: Actor,
  at: Date,
) {
  return createEvent('report.status-changed', {
    comune: report.comune,
    subject: report.id,
    actor,
    occurredAt: at,
    data: {
      reportId: report.id,
      category: report.category,
      reporterFiscalCode: report.reporterFiscalCode ?? null,
      from,
      to: report.status,
      ...(note === null ? {} : { note }),
    },
  });
}

/**
 * Sets (or replaces) the comune's territory, against which reports are checked. The outer rings
 * must lie in Italy: a file at (0, 0) or with coordinates swapped is refused. Each change raises
 * the territory's version, so the next report on every replica is checked against it.
 * @throws BadUserInputError naming `geometry`; ConflictError when changed at the same time elsewhere
 */
export async function setComuneTerritory(
  em: EntityManager,
  comune: string,
  name: string,
  geometry: TerritoryGeometry,
  now: Date,
): Promise<void> {
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  const { latitude, longitude } = ITALY_BOUNDS;
  const outOfItaly = polygons.some(
    (polygon) =>
      polygon.length === 0 ||
      (polygon[0]?.length ?? 0) < 4 ||
      polygon.some((ring) =>
        ring.some(
          ([lon, lat]) =>
            !(lon! >= longitude[0] && lon! <= longitude[1] && lat! >= latitude[0] && lat! <= latitude[1]),
        ),
      ),
  );
  if (polygons.length === 0 || outOfItaly) {
    throw new BadUserInputError(
      'geometry: the territory must be one or more closed rings of [longitude, latitude] positions in Italy',
      { field: 'geometry' },
    );
  }
  const existing = await em.findOne(ComuneTerritoryEntity, { comune });
  if (existing === null) em.create(ComuneTerritoryEntity, { comune, name, geometry, updatedAt: now });
  else Object.assign(existing, { name, geometry, updatedAt: now });
  try {
    await em.flush();
  } catch (error) {
    if (!(error instanceof OptimisticLockError)) throw error;
    throw new ConflictError(
      `The territory of comune ${comune} was changed by someone else at the same time: read it again and retry`,
      { reason: 'CONCURRENT_CHANGE' },
    );
  }
}

/**
 * A position is checked against the comune's territory when one is set (a comune cannot act on a
 * pothole in the next town), else against Italy's bounding box by {@link checkReport}.
 * @throws BadUserInputError naming `latitude`
 */
async function checkInTerritory(
  em: EntityManager,
  territories: TerritoryCache,
  comune: string,
  input: ReportInput,
): Promise<void> {
  const territory = await territories.current(em, comune);
  if (territory === null || isInTerritory(territory.geometry, input.longitude, input.latitude)) return;
  throw invalidInput([
    {
      field: 'latitude',
      message: `the position (${input.latitude}, ${input.longitude}) is outside the territory of ${territory.name}: report only what lies within the comune (check that latitude and longitude are not swapped)`,
    },
  ]);
}

/**
 * Files a citizen's report, checked against the comune's territory as `territories` holds it.
 * @throws BadUserInputError naming the field
 */
export async function fileReport(
  em: EntityManager,
  territories: TerritoryCache,
  comune: string,
  reporterFiscalCode: string,
  actor: Actor,
  input: ReportInput,
  now: Date,
): Promise<Report> {
  const problems = checkReport(input);
  if (problems.length > 0) throw invalidInput(problems);
  await checkInTerritory(em, territories, comune, input);
  const report = em.create(ReportEntity, {
    comune,
    category: input.category,
    description: input.description.trim(),
    latitude: input.latitude,
    longitude: input.longitude,
    address: input.address?.trim() || null,
    reporterFiscalCode: input.anonymous === true ? null : reporterFiscalCode.toUpperCase(),
    status: 'received',
    createdAt: now,
    updatedAt: now,
  });
  em.create(ReportChangeEntity, {
    comune,
    reportId: report.id,
    at: now,
    fromStatus: null,
    toStatus: 'received',
    actorKind: actor.kind,
    actorId: input.anonymous === true ? 'anonymous' : actor.id,
    note: null,
  });
  recordEvent(
    em,
    statusChanged(
      report,
      null,
      null,
      input.anonymous === true ? { kind: 'system', id: 'anonymous' } : actor,
      now,
    ),
  );
  await em.flush();
  return report;
}

export async function findReport(em: EntityManager, id: string): Promise<Report> {
  const report = /^[0-9a-f-]{36}$/i.test(id) ? await em.findOne(ReportEntity, { id }) : null;
  if (report === null) throw new NotFoundError(`No report with id ${id}`);
  return report;
}

/** Moves a report along; the reporter is told through `report.status-changed`. */
export async function changeReportStatus(
  em: EntityManager,
  report: Report,
  to: ReportStatus,
  note: string | null | undefined,
  actor: Actor,
  now: Date,
): Promise<Report> {
  const from = report.status;
  if (!REPORT_TRANSITIONS[from].includes(to)) {
    throw new ConflictError(
      `Report ${report.id} is ${from}: cannot move it to ${to} (allowed: ${REPORT_TRANSITIONS[from].join(', ') || 'nothing, it is closed'})`,
      { reason: 'ILLEGAL_TRANSITION', status: from, action: to },
    );
  }
  const text = note?.trim() ? note.trim() : null;
  if (text !== null && text.length > 1000)
    throw new BadUserInputError('note is 1000 characters at most', { field: 'note' });
  if (to === 'rejected' && text === null)
    throw new BadUserInputError('say why the report is rejected', { field: 'note' });
  report.status = to;
  report.updatedAt = now;
  em.create(ReportChangeEntity, {
    comune: report.comune,
    reportId: report.id,
    at: now,
    fromStatus: from,
    toStatus: to,
    actorKind: actor.kind,
    actorId: actor.id,
    note: text,
  });
  recordEvent(em, statusChanged(report, from, text, actor, now));
  await em.flush();
  return report;
}

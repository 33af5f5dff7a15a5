import {
  BadUserInputError,
  DEFAULT_PAGE_SIZE,
  findConnection,
  PageInfo,
  type Connection,
  type EntityManager,
  type KeysetOrder,
} from '@sportello/platform';
import { ResidentEntity, type Resident } from '../entities/resident.entity.js';

/** Lower case, accents and punctuation dropped, single spaces: how names and streets are searched. */
export function normaliseSearchText(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** The text staff search matches a resident on: name first, so it also sorts by name. */
export function searchTextOf(
  resident: Pick<Resident, 'familyName' | 'givenName' | 'street' | 'streetNumber'>,
): string {
  return normaliseSearchText(
    `${resident.familyName} ${resident.givenName} ${resident.street} ${resident.streetNumber}`,
  );
}

/**
 * Most residents one page of `residentsInZones` may hold: the one exception to the platform's page
 * limit, for the notifier reading an alert's recipients in large pages (staff and service only).
 */
export const ZONE_PAGE_MAX = 1000;

/** Keyset order of a staff search: by name (the search text starts with it), then fiscal code. */
const SEARCH_ORDER: KeysetOrder = [
  ['searchText', 'asc'],
  ['fiscalCode', 'asc'],
];

/**
 * Residents matching `query` (every word must appear in the name or the address; a full fiscal code
 * matches that person), by name, one page after the `after` cursor, with how many match.
 * @throws BadUserInputError naming `first` or `after`
 */
export async function searchResidents(
  em: EntityManager,
  query: string,
  page: { first?: number | null; after?: string | null },
): Promise<Connection<Resident>> {
  const trimmed = query.trim().toUpperCase();
  const where: Record<string, unknown>[] = [];
  if (/^[A-Z0-9]{16}$/.test(trimmed)) {
    where.push({ fiscalCode: trimmed });
  } else {
    for (const word of normaliseSearchText(query).split(' ').filter(Boolean)) {
      where.push({ searchText: { $like: `%${word}%` } });
    }
  }
  return findConnection(em, ResidentEntity, { $and: where } as never, {
    order: SEARCH_ORDER,
    first: page.first,
    after: page.after,
  });
}

/** A resident of some zones, as the notifier and civil protection need it. */
export interface ZoneResident {
  fiscalCode: string;
  zone: string | null;
}

/**
 * Residents whose address lies in one of `zones` (every resident of the comune when `zones` is
 * `null`, those in no zone included), by fiscal code, `first` of them after the fiscal code `after`,
 * with how many there are. Keyset on the fiscal code (the `(comune, zone, fiscal_code)` index serves
 * it), so paging through tens of thousands of residents costs the same on the last page as on the
 * first. Each cursor is the resident's fiscal code: the notifier records the last one it planned
 * and resumes after it when a plan was interrupted.
 * @throws BadUserInputError naming `first` outside 1 to {@link ZONE_PAGE_MAX}
 */
export async function residentsInZones(
  em: EntityManager,
  zones: readonly string[] | null,
  first: number | null | undefined,
  after: string | null,
): Promise<Connection<ZoneResident>> {
  const size = first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(size) || size < 1 || size > ZONE_PAGE_MAX) {
    throw new BadUserInputError(`first must be between 1 and ${ZONE_PAGE_MAX}`, { field: 'first' });
  }
  const inZones = zones === null ? {} : { zone: { $in: [...zones] } };
  const [rows, totalCount] = await Promise.all([
    em.find(
      ResidentEntity,
      { ...inZones, ...(after === null ? {} : { fiscalCode: { $gt: after } }) },
      { orderBy: { fiscalCode: 'asc' }, limit: size + 1, fields: ['fiscalCode', 'zone'] },
    ),
    em.count(ResidentEntity, inZones),
  ]);
  const edges = rows.slice(0, size).map((row) => ({
    cursor: row.fiscalCode,
    node: { fiscalCode: row.fiscalCode, zone: row.zone ?? null },
  }));
  return {
    edges,
    nodes: edges.map((edge) => edge.node),
    pageInfo: Object.assign(new PageInfo(), {
      hasNextPage: rows.length > size,
      hasPreviousPage: after !== null,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    }),
    totalCount,
  };
}

/** The members of a family (stato di famiglia), head first. */
export async function familyMembers(em: EntityManager, familyCode: string): Promise<Resident[]> {
  const order = ['head', 'spouse', 'child', 'parent', 'cohabitant'];
  const members = await em.find(ResidentEntity, { familyCode }, { orderBy: { birthDate: 'asc' } });
  return members.sort((a, b) => order.indexOf(a.relationship) - order.indexOf(b.relationship));
}

import type { EntityManager } from '@sportello/platform';
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

/** A page of results and where the next one starts. */
export interface Page<T> {
  nodes: T[];
  endCursor: string | null;
  hasNextPage: boolean;
}

/** Most items a page may hold. */
export const MAX_PAGE_SIZE = 1000;

function encodeCursor(parts: string[]): string {
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

/** Decodes a cursor of `length` parts, or `null` when it is not one of ours. */
export function decodeCursor(cursor: string, length: number): string[] | null {
  try {
    const parts: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    return Array.isArray(parts) && parts.length === length && parts.every((part) => typeof part === 'string')
      ? (parts as string[])
      : null;
  } catch {
    return null;
  }
}

/**
 * Residents matching `query` (every word must appear in the name or the address; a full fiscal code
 * matches that person), by name, paged with a keyset cursor on (name, fiscal code).
 */
export async function searchResidents(
  em: EntityManager,
  query: string,
  first: number,
  after: string[] | null,
): Promise<Page<Resident>> {
  const trimmed = query.trim().toUpperCase();
  const where: Record<string, unknown>[] = [];
  if (/^[A-Z0-9]{16}$/.test(trimmed)) {
    where.push({ fiscalCode: trimmed });
  } else {
    for (const word of normaliseSearchText(query).split(' ').filter(Boolean)) {
      where.push({ searchText: { $like: `%${word}%` } });
    }
  }
  if (after !== null) {
    const [text = '', code = ''] = after;
    where.push({ $or: [{ searchText: { $gt: text } }, { searchText: text, fiscalCode: { $gt: code } }] });
  }
  const rows = await em.find(ResidentEntity, { $and: where } as never, {
    orderBy: { searchText: 'asc', fiscalCode: 'asc' },
    limit: first + 1,
  });
  const nodes = rows.slice(0, first);
  const last = nodes.at(-1);
  return {
    nodes,
    hasNextPage: rows.length > first,
    endCursor: last === undefined ? null : encodeCursor([last.searchText, last.fiscalCode]),
  };
}

/** A resident of some zones, as the notifier and civil protection need it. */
export interface ZoneResident {
  fiscalCode: string;
  zone: string | null;
}

/**
 * Residents whose address lies in one of `zones` (every resident of the comune when `zones` is
 * `null`, those in no zone included), by fiscal code, paged with a keyset on the fiscal
 * code (the `(comune, zone, fiscal_code)` index serves it), so paging through tens of thousands of
 * residents costs the same on the last page as on the first.
 */
export async function residentsInZones(
  em: EntityManager,
  zones: readonly string[] | null,
  first: number,
  after: string | null,
): Promise<Page<ZoneResident>> {
  const rows = await em.find(
    ResidentEntity,
    {
      ...(zones === null ? {} : { zone: { $in: [...zones] } }),
      ...(after === null ? {} : { fiscalCode: { $gt: after } }),
    },
    { orderBy: { fiscalCode: 'asc' }, limit: first + 1, fields: ['fiscalCode', 'zone'] },
  );
  const nodes = rows.slice(0, first).map((row) => ({ fiscalCode: row.fiscalCode, zone: row.zone ?? null }));
  return {
    nodes,
    hasNextPage: rows.length > first,
    endCursor: nodes.at(-1)?.fiscalCode ?? null,
  };
}

/** The members of a family (stato di famiglia), head first. */
export async function familyMembers(em: EntityManager, familyCode: string): Promise<Resident[]> {
  const order = ['head', 'spouse', 'child', 'parent', 'cohabitant'];
  const members = await em.find(ResidentEntity, { familyCode }, { orderBy: { birthDate: 'asc' } });
  return members.sort((a, b) => order.indexOf(a.relationship) - order.indexOf(b.relationship));
}

import type { EntityManager } from '@sportello/platform';
import { cieExpiry, effectiveExpiry } from '../domain/identity-document.js';
import { searchTextOf } from '../domain/residents.js';
import { IdentityDocumentEntity } from '../entities/identity-document.entity.js';
import { ResidentEntity, type CivilStatus, type Relationship } from '../entities/resident.entity.js';
import { StreetEntity } from '../entities/street.entity.js';
import { addDays, addYears, ageOn, demoRandom, type IsoDate } from '@sportello/platform';

/** A street of the demo comune (the hub's generated population has these). */
export interface SeedStreet {
  name: string;
  zone: string;
  postcode: string;
}

/** A person of the demo comune (the hub's generated residents extend it). */
export interface SeedPerson {
  fiscalCode: string;
  givenName: string;
  familyName: string;
  sex: 'F' | 'M';
  birthDate: string;
  birthPlaceCode: string;
  birthPlaceName: string;
  citizenship: string;
  civilStatus: CivilStatus;
  householdId: string;
  relationship: Relationship;
  address: { street: string; number: string; postcode: string; zone: string };
}

/** What {@link seedAnagrafe} needs: the comune's street register and its people. */
export interface AnagrafeSeed {
  comune: string;
  streets: SeedStreet[];
  people: SeedPerson[];
}

/** Options of {@link seedAnagrafe}. */
export interface AnagrafeSeedOptions {
  /** The day the demo is seeded on: document dates are spread around it. @default today (UTC) */
  today?: IsoDate;
  /** Rows written per flush. @default 500 */
  batchSize?: number;
  onProgress?: (done: number, total: number) => void;
}

/** What the seed wrote; zeros when the comune already had residents. */
export interface AnagrafeSeedResult {
  residents: number;
  documents: number;
  streets: number;
}

/** A generator seeded from a fiscal code, so a reseed writes the same data. */
function randomFor(key: string): () => number {
  return demoRandom(
    [...key].reduce((hash, char) => Math.imul(hash ^ char.charCodeAt(0), 16777619) >>> 0, 2166136261),
  );
}

/** The document a person carries, spread so that reminders of every offset and expired ones occur. */
function demoDocument(person: SeedPerson, index: number, today: IsoDate) {
  const random = randomFor(person.fiscalCode);
  const age = ageOn(person.birthDate, today);
  // About one adult in eight still has a paper card; one person in five has a CIE expiring soon.
  const bucket = index % 40;
  if (age >= 18 && bucket < 5) {
    const issuedOn = addDays(today, -Math.floor(365 * (6 + random() * 3)));
    const printed = addYears(issuedOn, 10);
    return {
      kind: 'paper' as const,
      issuedOn,
      printedExpiresOn: printed,
      expiresOn: effectiveExpiry('paper', printed),
    };
  }
  // Pick an expiry first (some within 7, 30 and 180 days, some expired), then an issue date giving it.
  const soon = [3, 6, 20, 28, 90, 170, -10, -400];
  const soonOffset = soon[bucket - 5];
  const target = addDays(today, soonOffset ?? 200 + Math.floor(random() * 3000));
  const years = age < 3 ? 3 : age < 18 ? 5 : 10;
  let issuedOn = addYears(target, -years);
  if (issuedOn < person.birthDate) issuedOn = person.birthDate;
  if (issuedOn > today) issuedOn = today;
  const printed = cieExpiry(person.birthDate, issuedOn);
  return { kind: 'CIE' as const, issuedOn, printedExpiresOn: printed, expiresOn: printed };
}

function documentNumber(kind: 'CIE' | 'paper', index: number): string {
  return kind === 'CIE'
    ? `CA${String(10000 + index).padStart(5, '0')}${String.fromCharCode(65 + (index % 26))}${String.fromCharCode(65 + (((index / 26) % 26) | 0))}`
    : `AX${String(1000000 + index).padStart(7, '0')}`;
}

/**
 * Seeds a comune's registry from the demo population: the street register with its zones, every
 * person with their family, address, electoral data and an identity document (expiries spread so
 * that reminders at 180, 30 and 7 days, expired cards and paper cards all occur). Idempotent: a
 * comune that already has residents is left alone. Writes in batches of `batchSize` per flush.
 */
export async function seedAnagrafe(
  em: EntityManager,
  seed: AnagrafeSeed,
  options: AnagrafeSeedOptions = {},
): Promise<AnagrafeSeedResult> {
  if ((await em.count(ResidentEntity, {})) > 0) return { residents: 0, documents: 0, streets: 0 };
  const today = options.today ?? new Date().toISOString().slice(0, 10);
  const batchSize = options.batchSize ?? 500;
  const total = seed.people.length;

  for (const street of seed.streets) {
    em.create(StreetEntity, {
      comune: seed.comune,
      name: street.name,
      postcode: street.postcode,
      zone: street.zone,
    });
  }
  await em.flush();

  const sections = new Map<string, number>();
  let documents = 0;
  for (let start = 0; start < total; start += batchSize) {
    const batch = seed.people.slice(start, start + batchSize);
    batch.forEach((person, offset) => {
      const index = start + offset;
      const random = randomFor(`${person.fiscalCode}:residence`);
      const votes = ageOn(person.birthDate, today) >= 18 && person.citizenship === 'IT';
      const zone = person.address.zone;
      if (!sections.has(zone)) sections.set(zone, sections.size * 3 + 1);
      const section = sections.get(zone)! + (index % 3);
      const residentSince = [person.birthDate, addDays(today, -Math.floor(random() * 365 * 30))]
        .sort()
        .at(-1)!;
      const resident = {
        comune: seed.comune,
        fiscalCode: person.fiscalCode,
        givenName: person.givenName,
        familyName: person.familyName,
        sex: person.sex,
        birthDate: person.birthDate,
        birthPlaceCode: person.birthPlaceCode,
        birthPlaceName: person.birthPlaceName,
        citizenship: person.citizenship,
        civilStatus: person.civilStatus,
        street: person.address.street,
        streetNumber: person.address.number,
        postcode: person.address.postcode,
        zone,
        familyCode: person.householdId,
        relationship: person.relationship,
        residentSince: residentSince < today ? residentSince : today,
        pollingStation: votes ? `Seggio ${section} - Scuola ${zone}` : null,
        electoralSection: votes ? section : null,
        electoralCardNumber: votes ? String(100000000 + index) : null,
      };
      em.create(ResidentEntity, { ...resident, searchText: searchTextOf(resident) });
      // Someone born after the seed's day (a population generated for a later date) has no card yet.
      if (person.birthDate > today) return;
      const document = demoDocument(person, index, today);
      em.create(IdentityDocumentEntity, {
        comune: seed.comune,
        holderFiscalCode: person.fiscalCode,
        number: documentNumber(document.kind, index),
        replacedAt: null,
        ...document,
      });
      documents += 1;
    });
    await em.flush();
    em.clear();
    options.onProgress?.(Math.min(start + batchSize, total), total);
  }
  return { residents: total, documents, streets: seed.streets.length };
}

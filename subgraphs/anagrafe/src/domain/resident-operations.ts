import {
  BadUserInputError,
  ConflictError,
  recordEvent,
  type EntityManager,
  isIsoDate,
  type IsoDate,
} from '@sportello/platform';
import { decodeFiscalCode, type Actor } from '@sportello/schema';
import {
  ResidentEntity,
  type CivilStatus,
  type Relationship,
  type Resident,
} from '../entities/resident.entity.js';
import { StreetEntity } from '../entities/street.entity.js';
import { residentRegisteredEvent } from '../events/anagrafe-events.js';
import { HOUSE_NUMBER } from './residence-change-operations.js';
import { searchTextOf } from './residents.js';

/** A person the office registers as resident (birth, immigration, move from another comune). */
export interface NewResident {
  fiscalCode: string;
  givenName: string;
  familyName: string;
  sex: 'F' | 'M';
  birthDate: IsoDate;
  birthPlaceCode: string;
  birthPlaceName: string;
  citizenship: string;
  civilStatus: CivilStatus;
  street: string;
  number: string;
  /** An existing family to join, or a new one when absent (the person heads it). */
  familyCode?: string | null;
  relationship?: Relationship | null;
  /** @default today */
  residentSince?: IsoDate | null;
}

/**
 * Registers a new resident and records `resident.registered` (with the zone of the address) in
 * the same transaction.
 *
 * @throws BadUserInputError naming the bad field; ConflictError when already resident.
 */
export async function registerResident(
  em: EntityManager,
  comune: string,
  input: NewResident,
  actor: Actor,
  today: IsoDate,
  now: Date,
): Promise<Resident> {
  const bad = (field: string, message: string) => new BadUserInputError(`${field}: ${message}`, { field });
  const decoded = decodeFiscalCode(input.fiscalCode);
  // The code has a two-digit year: compare without the century.
  if (decoded.birthDate.slice(2) !== input.birthDate.slice(2) || decoded.sex !== input.sex) {
    throw bad('fiscalCode', 'does not match the birth date and sex given');
  }
  const birthPlaceCode = input.birthPlaceCode.trim().toUpperCase();
  if (!/^[A-Z][0-9]{3}$/.test(birthPlaceCode)) {
    throw bad('birthPlaceCode', 'a cadastral code such as H501, or Z... for a foreign state');
  }
  if (birthPlaceCode !== decoded.birthPlaceCode) {
    throw bad(
      'birthPlaceCode',
      `the fiscal code says the person was born in ${decoded.birthPlaceCode}, not ${birthPlaceCode}`,
    );
  }
  if (!isIsoDate(input.birthDate) || input.birthDate > today)
    throw bad('birthDate', 'a past date, YYYY-MM-DD');
  if (!/^[A-Z]{2}$/.test(input.citizenship))
    throw bad('citizenship', 'an ISO 3166-1 alpha-2 code such as IT');
  for (const field of ['givenName', 'familyName', 'birthPlaceName'] as const) {
    if (input[field].trim() === '' || input[field].length > 100) throw bad(field, '1 to 100 characters');
  }
  const number = input.number.trim().toUpperCase();
  if (!HOUSE_NUMBER.test(number)) throw bad('number', 'a house number such as 12, 12A or 12/B');
  const residentSince = input.residentSince ?? today;
  if (!isIsoDate(residentSince) || residentSince > today)
    throw bad('residentSince', 'today or an earlier date');
  if ((await em.count(ResidentEntity, { fiscalCode: input.fiscalCode })) > 0) {
    throw new ConflictError('This person is already resident in the comune.', { reason: 'ALREADY_RESIDENT' });
  }
  const street = await em.findOne(StreetEntity, { name: input.street.trim() });
  if (street === null) throw bad('street', `"${input.street}" is not in the comune's street register`);
  let familyCode = input.familyCode?.trim() || null;
  if (familyCode !== null) {
    const family = await em.find(ResidentEntity, { familyCode }, { fields: ['relationship'] });
    if (family.length === 0) throw bad('familyCode', `no family ${familyCode} in the registry`);
    if (input.relationship === 'head' && family.some((member) => member.relationship === 'head')) {
      throw bad(
        'relationship',
        `family ${familyCode} already has a head: give the relationship to the head (spouse, child, ...)`,
      );
    }
  } else if (input.relationship != null && input.relationship !== 'head') {
    throw bad(
      'relationship',
      'a new family is headed by the person registered: give a familyCode to join one',
    );
  }
  familyCode ??= `F-${input.fiscalCode}`;
  const fields = {
    comune,
    fiscalCode: input.fiscalCode,
    givenName: input.givenName.trim(),
    familyName: input.familyName.trim(),
    sex: input.sex,
    birthDate: input.birthDate,
    birthPlaceCode,
    birthPlaceName: input.birthPlaceName.trim(),
    citizenship: input.citizenship,
    civilStatus: input.civilStatus,
    street: street.name,
    streetNumber: number,
    postcode: street.postcode,
    zone: street.zone ?? null,
    familyCode,
    relationship: input.familyCode ? (input.relationship ?? 'cohabitant') : 'head',
    residentSince,
    pollingStation: null,
    electoralSection: null,
    electoralCardNumber: null,
  };
  const resident = em.create(ResidentEntity, { ...fields, searchText: searchTextOf(fields) });
  recordEvent(em, residentRegisteredEvent(resident, actor, now));
  await em.flush();
  return resident;
}

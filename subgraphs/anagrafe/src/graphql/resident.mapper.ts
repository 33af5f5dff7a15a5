import type { AddressRecord } from '../entities/residence-change.entity.js';
import type { Resident } from '../entities/resident.entity.js';
import {
  AddressType,
  FamilyMemberType,
  FamilyType,
  ResidenceType,
  ResidentSummaryType,
} from './resident.type.js';

export function toAddressType(address: AddressRecord): AddressType {
  return Object.assign(new AddressType(), { ...address, zone: address.zone ?? null });
}

function addressOf(resident: Resident): AddressType {
  return toAddressType({
    street: resident.street,
    number: resident.streetNumber,
    postcode: resident.postcode,
    zone: resident.zone ?? null,
  });
}

export function toResidenceType(resident: Resident): ResidenceType {
  const votes = resident.electoralSection !== null && resident.electoralSection !== undefined;
  return Object.assign(new ResidenceType(), {
    givenName: resident.givenName,
    familyName: resident.familyName,
    sex: resident.sex,
    birthDate: resident.birthDate,
    birthPlace: { code: resident.birthPlaceCode, name: resident.birthPlaceName },
    citizenship: resident.citizenship,
    civilStatus: resident.civilStatus,
    address: addressOf(resident),
    residentSince: resident.residentSince,
    electoral: votes
      ? {
          pollingStation: resident.pollingStation ?? null,
          section: resident.electoralSection ?? null,
          cardNumber: resident.electoralCardNumber ?? null,
        }
      : null,
  });
}

export function toFamilyType(familyCode: string, members: Resident[]): FamilyType {
  return Object.assign(new FamilyType(), {
    code: familyCode,
    members: members.map((member) =>
      Object.assign(new FamilyMemberType(), {
        fiscalCode: member.fiscalCode,
        givenName: member.givenName,
        familyName: member.familyName,
        birthDate: member.birthDate,
        relationship: member.relationship,
      }),
    ),
  });
}

/** A resident as a row of a staff search. */
export function toResidentSummary(resident: Resident): ResidentSummaryType {
  return Object.assign(new ResidentSummaryType(), {
    fiscalCode: resident.fiscalCode,
    givenName: resident.givenName,
    familyName: resident.familyName,
    birthDate: resident.birthDate,
    address: addressOf(resident),
  });
}

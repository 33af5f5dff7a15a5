import { connectionType } from '@sportello/platform';
import { GraphQLFiscalCode } from '@sportello/schema';
import { GraphQLLocalDate } from 'graphql-scalars';
import { Field, Int, ObjectType } from 'type-graphql';
import { CivilStatusEnum, RelationshipEnum } from './enums.js';

@ObjectType('ResidenceAddress', { description: 'A residence address within the comune.' })
export class AddressType {
  @Field({ description: 'Street name as in the comune’s street register.' })
  street!: string;

  @Field({ description: 'House number, e.g. 12 or 12A.' })
  number!: string;

  @Field({ description: 'Postcode (CAP).' })
  postcode!: string;

  @Field(() => String, {
    nullable: true,
    description:
      'Zone of the comune the address lies in (civil protection alerts use it); null when in none.',
  })
  zone!: string | null;
}

@ObjectType('BirthPlace', { description: 'Where a person was born.' })
export class BirthPlaceType {
  @Field({ description: 'Cadastral code of the comune, or Z... for a foreign state.' })
  code!: string;

  @Field({ description: 'Name of the comune or foreign state.' })
  name!: string;
}

@ObjectType('ElectoralData', { description: 'Where the resident votes.' })
export class ElectoralDataType {
  @Field(() => String, {
    nullable: true,
    description: 'Address of the polling station; null when not assigned.',
  })
  pollingStation!: string | null;

  @Field(() => Int, { nullable: true, description: 'Electoral section number; null when not assigned.' })
  section!: number | null;

  @Field(() => String, { nullable: true, description: 'Number of the electoral card (tessera elettorale).' })
  cardNumber!: string | null;
}

@ObjectType('Residence', { description: 'A resident’s registry record (APR).' })
export class ResidenceType {
  @Field({ description: 'Given name(s).' })
  givenName!: string;

  @Field({ description: 'Family name.' })
  familyName!: string;

  @Field({ description: 'F or M, as recorded.' })
  sex!: string;

  @Field(() => GraphQLLocalDate, { description: 'Date of birth, `YYYY-MM-DD`.' })
  birthDate!: string;

  @Field(() => BirthPlaceType, { description: 'Place of birth.' })
  birthPlace!: BirthPlaceType;

  @Field({ description: 'ISO 3166-1 alpha-2 code, e.g. IT.' })
  citizenship!: string;

  @Field(() => CivilStatusEnum, { description: 'Civil status as recorded.' })
  civilStatus!: string;

  @Field(() => AddressType, { description: 'Current residence address.' })
  address!: AddressType;

  @Field(() => GraphQLLocalDate, { description: 'Resident at this address since.' })
  residentSince!: string;

  @Field(() => ElectoralDataType, { nullable: true, description: 'Null for people who do not vote here.' })
  electoral!: ElectoralDataType | null;
}

@ObjectType('FamilyMember', { description: 'A person in a stato di famiglia.' })
export class FamilyMemberType {
  @Field(() => GraphQLFiscalCode, { description: 'Codice fiscale of the member.' })
  fiscalCode!: string;

  @Field({ description: 'Given name(s).' })
  givenName!: string;

  @Field({ description: 'Family name.' })
  familyName!: string;

  @Field(() => GraphQLLocalDate, { description: 'Date of birth, `YYYY-MM-DD`.' })
  birthDate!: string;

  @Field(() => RelationshipEnum, { description: 'Relationship to the head of the family.' })
  relationship!: string;
}

@ObjectType('Family', { description: 'Stato di famiglia: the people registered as one family.' })
export class FamilyType {
  @Field({ description: 'Registry code of the family.' })
  code!: string;

  @Field(() => [FamilyMemberType], { description: 'Head of the family first.' })
  members!: FamilyMemberType[];
}

@ObjectType('ResidentSummary', { description: 'A row of a staff search.' })
export class ResidentSummaryType {
  @Field(() => GraphQLFiscalCode, { description: 'Codice fiscale of the resident.' })
  fiscalCode!: string;

  @Field({ description: 'Given name(s).' })
  givenName!: string;

  @Field({ description: 'Family name.' })
  familyName!: string;

  @Field(() => GraphQLLocalDate, { description: 'Date of birth, `YYYY-MM-DD`.' })
  birthDate!: string;

  @Field(() => AddressType, { description: 'Current residence address.' })
  address!: AddressType;
}

export const ResidentSummaryConnectionType = connectionType(
  ResidentSummaryType,
  'ResidentSummary',
  'residents found',
);

@ObjectType('ZoneResident', { description: 'A resident of a zone: who must hear of what happens there.' })
export class ZoneResidentType {
  @Field(() => GraphQLFiscalCode, { description: 'Codice fiscale of the resident.' })
  fiscalCode!: string;

  @Field(() => String, {
    nullable: true,
    description: 'Null for an address in no zone (whole-comune lists only).',
  })
  zone!: string | null;
}

export const ZoneResidentConnectionType = connectionType(
  ZoneResidentType,
  'ZoneResident',
  'residents of the zones',
);

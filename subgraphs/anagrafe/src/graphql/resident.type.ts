import { GraphQLFiscalCode } from '@sportello/schema';
import { GraphQLLocalDate } from 'graphql-scalars';
import { Field, Int, ObjectType } from 'type-graphql';
import { CivilStatusEnum, RelationshipEnum } from './enums.js';

@ObjectType('ResidenceAddress', { description: 'A residence address within the comune.' })
export class AddressType {
  @Field()
  street!: string;

  @Field({ description: 'House number, e.g. 12 or 12A.' })
  number!: string;

  @Field()
  postcode!: string;

  @Field(() => String, {
    nullable: true,
    description:
      'Zone of the comune the address lies in (civil protection alerts use it); null when in none.',
  })
  zone!: string | null;
}

@ObjectType('BirthPlace')
export class BirthPlaceType {
  @Field({ description: 'Cadastral code of the comune, or Z... for a foreign state.' })
  code!: string;

  @Field()
  name!: string;
}

@ObjectType('ElectoralData', { description: 'Where the resident votes.' })
export class ElectoralDataType {
  @Field(() => String, { nullable: true })
  pollingStation!: string | null;

  @Field(() => Int, { nullable: true })
  section!: number | null;

  @Field(() => String, { nullable: true, description: 'Number of the electoral card (tessera elettorale).' })
  cardNumber!: string | null;
}

@ObjectType('Residence', { description: 'A resident’s registry record (APR).' })
export class ResidenceType {
  @Field()
  givenName!: string;

  @Field()
  familyName!: string;

  @Field({ description: 'F or M, as recorded.' })
  sex!: string;

  @Field(() => GraphQLLocalDate)
  birthDate!: string;

  @Field(() => BirthPlaceType)
  birthPlace!: BirthPlaceType;

  @Field({ description: 'ISO 3166-1 alpha-2 code, e.g. IT.' })
  citizenship!: string;

  @Field(() => CivilStatusEnum)
  civilStatus!: string;

  @Field(() => AddressType)
  address!: AddressType;

  @Field(() => GraphQLLocalDate, { description: 'Resident at this address since.' })
  residentSince!: string;

  @Field(() => ElectoralDataType, { nullable: true, description: 'Null for people who do not vote here.' })
  electoral!: ElectoralDataType | null;
}

@ObjectType('FamilyMember')
export class FamilyMemberType {
  @Field(() => GraphQLFiscalCode)
  fiscalCode!: string;

  @Field()
  givenName!: string;

  @Field()
  familyName!: string;

  @Field(() => GraphQLLocalDate)
  birthDate!: string;

  @Field(() => RelationshipEnum)
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
  @Field(() => GraphQLFiscalCode)
  fiscalCode!: string;

  @Field()
  givenName!: string;

  @Field()
  familyName!: string;

  @Field(() => GraphQLLocalDate)
  birthDate!: string;

  @Field(() => AddressType)
  address!: AddressType;
}

@ObjectType('RegistryPageInfo', { description: 'Where the next page of a registry list starts.' })
export class PageInfoType {
  @Field(() => String, { nullable: true, description: 'Pass as `after` to get the next page.' })
  endCursor!: string | null;

  @Field()
  hasNextPage!: boolean;
}

@ObjectType('ResidentSearchPage')
export class ResidentSearchPageType {
  @Field(() => [ResidentSummaryType])
  nodes!: ResidentSummaryType[];

  @Field(() => PageInfoType)
  pageInfo!: PageInfoType;
}

@ObjectType('ZoneResident', { description: 'A resident of a zone: who must hear of what happens there.' })
export class ZoneResidentType {
  @Field(() => GraphQLFiscalCode)
  fiscalCode!: string;

  @Field(() => String, {
    nullable: true,
    description: 'Null for an address in no zone (whole-comune lists only).',
  })
  zone!: string | null;
}

@ObjectType('ZoneResidentPage')
export class ZoneResidentPageType {
  @Field(() => [ZoneResidentType])
  nodes!: ZoneResidentType[];

  @Field(() => PageInfoType)
  pageInfo!: PageInfoType;
}

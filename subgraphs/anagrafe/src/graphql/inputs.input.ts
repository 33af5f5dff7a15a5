import { GraphQLFiscalCode } from '@sportello/schema';
import { GraphQLLocalDate } from 'graphql-scalars';
import { Field, InputType } from 'type-graphql';
import {
  CertificateKindEnum,
  CivilStatusEnum,
  DocumentKindEnum,
  RelationshipEnum,
  StampDutyExemptionEnum,
} from './enums.js';

@InputType('CertificateRequestInput', { description: 'A certificate to issue.' })
export class CertificateRequestInput {
  @Field(() => GraphQLFiscalCode, {
    nullable: true,
    description: 'A member of your family (or someone you act for); yourself when omitted.',
  })
  holderFiscalCode?: string | null;

  @Field(() => [CertificateKindEnum], { description: 'One kind, or several for a contestuale certificate.' })
  kinds!: string[];

  @Field({ description: 'What the certificate is for (printed on it).' })
  use!: string;

  @Field(() => StampDutyExemptionEnum, {
    nullable: true,
    description:
      'The ground for exemption from stamp duty, if any (civil-status certificates are always exempt).',
  })
  exemption?: string | null;
}

@InputType('DeclaredAddressInput', { description: 'The new address declared.' })
export class DeclaredAddressInput {
  @Field({ description: 'As in the comune’s street register.' })
  street!: string;

  @Field({ description: 'House number, e.g. 12 or 12A.' })
  number!: string;

  @Field(() => String, {
    nullable: true,
    description: 'Postcode (CAP); taken from the street register when omitted.',
  })
  postcode?: string | null;
}

@InputType('ResidenceDeclarationInput', { description: 'A change of residence within the comune.' })
export class ResidenceDeclarationInput {
  @Field(() => DeclaredAddressInput, { description: 'The new address.' })
  address!: DeclaredAddressInput;

  @Field(() => GraphQLLocalDate, {
    nullable: true,
    description: 'Day of the move, within the last 20 days; today when omitted.',
  })
  movedOn?: string | null;

  @Field(() => [GraphQLFiscalCode], {
    nullable: true,
    description: 'Members of your family moving with you.',
  })
  withMembers?: string[] | null;
}

@InputType('IdentityDocumentInput', { description: 'An identity document issued to a resident.' })
export class IdentityDocumentInput {
  @Field(() => GraphQLFiscalCode, { description: 'Codice fiscale of the resident it was issued to.' })
  holderFiscalCode!: string;

  @Field(() => DocumentKindEnum, { description: 'CIE or paper card.' })
  kind!: string;

  @Field({ description: 'Document number as printed.' })
  number!: string;

  @Field(() => GraphQLLocalDate, { description: 'Day of issue, `YYYY-MM-DD`.' })
  issuedOn!: string;

  @Field(() => GraphQLLocalDate, {
    nullable: true,
    description: 'Paper cards only: the date printed on the card.',
  })
  printedExpiresOn?: string | null;
}

@InputType('NewResidentInput', { description: 'A person to enter in the registry.' })
export class NewResidentInput {
  @Field(() => GraphQLFiscalCode, { description: 'Codice fiscale of the new resident.' })
  fiscalCode!: string;

  @Field(() => String, { description: 'Given name(s).' })
  givenName!: string;

  @Field(() => String, { description: 'Family name.' })
  familyName!: string;

  @Field(() => String, { description: 'F or M.' })
  sex!: string;

  @Field(() => GraphQLLocalDate, { description: 'Date of birth, `YYYY-MM-DD`.' })
  birthDate!: string;

  @Field(() => String, { description: 'Cadastral code of the birth comune, or Z... for a foreign state.' })
  birthPlaceCode!: string;

  @Field(() => String, { description: 'Name of the birth comune or foreign state.' })
  birthPlaceName!: string;

  @Field(() => String, { description: 'ISO 3166-1 alpha-2, e.g. IT.' })
  citizenship!: string;

  @Field(() => CivilStatusEnum, { description: 'Civil status.' })
  civilStatus!: string;

  @Field(() => String, { description: 'As in the comune’s street register.' })
  street!: string;

  @Field(() => String, { description: 'House number, e.g. 12 or 12A.' })
  number!: string;

  @Field(() => String, { nullable: true, description: 'An existing family to join; a new family otherwise.' })
  familyCode?: string | null;

  @Field(() => RelationshipEnum, {
    nullable: true,
    description: 'Relationship to the head of the family joined.',
  })
  relationship?: string | null;

  @Field(() => GraphQLLocalDate, { nullable: true, description: 'Today when omitted.' })
  residentSince?: string | null;
}

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

@InputType('CertificateRequestInput')
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

@InputType('DeclaredAddressInput')
export class DeclaredAddressInput {
  @Field({ description: 'As in the comune’s street register.' })
  street!: string;

  @Field()
  number!: string;

  @Field(() => String, { nullable: true })
  postcode?: string | null;
}

@InputType('ResidenceDeclarationInput')
export class ResidenceDeclarationInput {
  @Field(() => DeclaredAddressInput)
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

@InputType('IdentityDocumentInput')
export class IdentityDocumentInput {
  @Field(() => GraphQLFiscalCode)
  holderFiscalCode!: string;

  @Field(() => DocumentKindEnum)
  kind!: string;

  @Field()
  number!: string;

  @Field(() => GraphQLLocalDate)
  issuedOn!: string;

  @Field(() => GraphQLLocalDate, {
    nullable: true,
    description: 'Paper cards only: the date printed on the card.',
  })
  printedExpiresOn?: string | null;
}

@InputType('NewResidentInput')
export class NewResidentInput {
  @Field(() => GraphQLFiscalCode)
  fiscalCode!: string;

  @Field(() => String)
  givenName!: string;

  @Field(() => String)
  familyName!: string;

  @Field(() => String, { description: 'F or M.' })
  sex!: string;

  @Field(() => GraphQLLocalDate)
  birthDate!: string;

  @Field(() => String, { description: 'Cadastral code of the birth comune, or Z... for a foreign state.' })
  birthPlaceCode!: string;

  @Field(() => String)
  birthPlaceName!: string;

  @Field(() => String, { description: 'ISO 3166-1 alpha-2, e.g. IT.' })
  citizenship!: string;

  @Field(() => CivilStatusEnum)
  civilStatus!: string;

  @Field(() => String, { description: 'As in the comune’s street register.' })
  street!: string;

  @Field(() => String)
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

import { GraphQLFiscalCode } from '@sportello/schema';
import { GraphQLLocalDate } from 'graphql-scalars';
import { Field, ID, ObjectType } from 'type-graphql';
import { CertificateKindEnum, StampDutyEnum } from './enums.js';

@ObjectType('Certificate', { description: 'A certificate issued online.' })
export class CertificateType {
  @Field(() => ID, { description: 'Identifier of the certificate.' })
  id!: string;

  @Field(() => [CertificateKindEnum], { description: 'Several make a contestuale certificate.' })
  kinds!: string[];

  @Field(() => GraphQLFiscalCode, { description: 'Codice fiscale of the person the certificate is about.' })
  holderFiscalCode!: string;

  @Field(() => GraphQLFiscalCode, {
    description: 'Codice fiscale of the person who requested it (the holder or a family member).',
  })
  requesterFiscalCode!: string;

  @Field({ description: 'The holder’s name as printed.' })
  holderName!: string;

  @Field({ description: 'The use the requester stated.' })
  use!: string;

  @Field(() => StampDutyEnum, {
    description: 'Whether the 16 EUR stamp duty was paid or an exemption applied.',
  })
  stampDuty!: string;

  @Field({ description: 'The stamp-duty wording printed (exemption ground or payment).' })
  stampDutyText!: string;

  @Field({ description: 'When the certificate was issued.' })
  issuedAt!: Date;

  @Field(() => GraphQLLocalDate, {
    nullable: true,
    description: 'Null for facts that cannot change (birth).',
  })
  validUntil!: string | null;

  @Field({ description: 'Printed on the certificate and in its QR code.' })
  verificationCode!: string;

  @Field({ description: 'The page the QR code opens.' })
  verificationUrl!: string;

  @Field({
    description: 'GET it with the same bearer token to download the PDF (`/certificates/<id>.pdf`).',
  })
  downloadUrl!: string;
}

@ObjectType('CertificateVerification', {
  description: 'What a verification shows: only what the certificate itself says. Public.',
})
export class CertificateVerificationType {
  @Field(() => [CertificateKindEnum], { description: 'What the certificate certifies.' })
  kinds!: string[];

  @Field(() => GraphQLLocalDate, { description: 'Day of issue, `YYYY-MM-DD`.' })
  issuedOn!: string;

  @Field(() => GraphQLLocalDate, {
    nullable: true,
    description: 'Last valid day, `YYYY-MM-DD`; null for facts that cannot change (birth).',
  })
  validUntil!: string | null;

  @Field({ description: 'Within its validity today.' })
  valid!: boolean;

  @Field({ description: 'As printed on the certificate.' })
  holderName!: string;
}

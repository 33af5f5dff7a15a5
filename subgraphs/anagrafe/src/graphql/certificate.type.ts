import { connectionType, registerGraphQLEnum } from '@sportello/platform';
import { GraphQLFiscalCode, GraphQLNoticeNumber } from '@sportello/schema';
import { GraphQLLocalDate } from 'graphql-scalars';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { CERTIFICATE_REQUEST_STATUSES } from '../entities/certificate-request.entity.js';
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
    description:
      'Whether the 16 EUR stamp duty was paid (through pagoPA, before issue) or an exemption applied.',
  })
  stampDuty!: string;

  @Field({
    description:
      'The stamp-duty wording printed: the exemption ground, or the pagoPA notice, IUV and payment day.',
  })
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

export const CertificateRequestStatusEnum = registerGraphQLEnum(CERTIFICATE_REQUEST_STATUSES, {
  name: 'CertificateRequestStatus',
  description: 'Where a certificate request stands.',
  values: {
    AWAITING_PAYMENT:
      'The 16 EUR stamp duty is due: the certificate is issued once its pagoPA notice (`noticeNumber`) is paid.',
    ISSUED: 'The certificate is issued: see `certificate`.',
    CANCELLED:
      'The stamp-duty notice was cancelled before it was paid: nothing is issued; request the certificate again.',
    PAYMENT_FAILED:
      'No stamp-duty notice could be made for the request (`failureReason` says why): nothing is issued and ' +
      'nothing is owed; request the certificate again, or ask the registry office.',
  },
});

@ObjectType('CertificateRequest', {
  description:
    'A certificate request. Without exemption it waits for its 16 EUR stamp duty, paid through the pagoPA notice ' +
    'the citizen receives; exempt requests are issued at once.',
})
export class CertificateRequestType {
  @Field(() => ID, {
    description: 'Identifier of the request; the reference (`externalRef`) of its stamp-duty notice.',
  })
  id!: string;

  @Field(() => CertificateRequestStatusEnum, {
    description:
      'AWAITING_PAYMENT until the stamp duty is paid, then ISSUED (CANCELLED if its notice is cancelled first, ' +
      'PAYMENT_FAILED if no notice could be made); exempt requests are ISSUED at once.',
  })
  status!: string;

  @Field(() => String, {
    nullable: true,
    description: 'Why no stamp-duty notice could be made (status PAYMENT_FAILED); null otherwise.',
  })
  failureReason!: string | null;

  @Field(() => [CertificateKindEnum], { description: 'Several make a contestuale certificate.' })
  kinds!: string[];

  @Field(() => GraphQLFiscalCode, { description: 'Codice fiscale of the person the certificate is about.' })
  holderFiscalCode!: string;

  @Field({ description: 'The use the requester stated.' })
  use!: string;

  @Field({ description: 'When the citizen asked for it.' })
  requestedAt!: Date;

  @Field(() => Int, {
    nullable: true,
    description:
      'The stamp duty to pay through pagoPA, in euro cents (1600); null when an exemption applies.',
  })
  stampDutyAmountCents!: number | null;

  @Field(() => GraphQLNoticeNumber, {
    nullable: true,
    description:
      'The pagoPA notice of the stamp duty, once the comune made it (the citizen is also notified of it); null when exempt.',
  })
  noticeNumber!: string | null;

  @Field(() => GraphQLLocalDate, { nullable: true, description: 'The day the stamp-duty notice falls due.' })
  paymentDueDate!: string | null;

  @Field(() => Date, {
    nullable: true,
    description: 'When the stamp duty was paid; null until then, and when exempt.',
  })
  paidAt!: Date | null;

  @Field(() => CertificateType, {
    nullable: true,
    description: 'The certificate, once issued; null while the stamp duty is due.',
  })
  certificate!: CertificateType | null;
}

export const CertificateConnectionType = connectionType(CertificateType, 'Certificate', 'certificates');

export const CertificateRequestConnectionType = connectionType(
  CertificateRequestType,
  'CertificateRequest',
  'certificate requests',
);

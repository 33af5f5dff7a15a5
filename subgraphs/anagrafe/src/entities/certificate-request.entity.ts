import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { tenantProperties, uuidPrimaryKey } from '@sportello/platform';
import type { CertificateKind } from '../domain/certificate-rules.js';
import type { CertificateLine } from './certificate.entity.js';

/**
 * Where a certificate request stands: waiting for its stamp duty, issued, cancelled (its notice
 * was cancelled before payment), or failed (no notice could be made for it: `failureReason`).
 */
export const CERTIFICATE_REQUEST_STATUSES = [
  'awaiting-payment',
  'issued',
  'cancelled',
  'payment-failed',
] as const;
export type CertificateRequestStatus = (typeof CERTIFICATE_REQUEST_STATUSES)[number];

/**
 * A citizen's certificate request. One that owes stamp duty waits (`awaiting-payment`) for the
 * pagoPA position tributi makes for it (`externalRef` = this id) to be paid; an exempt one is
 * issued at once. `certificateId` points at the certificate once issued.
 */
export const CertificateRequestEntity = defineEntity({
  name: 'CertificateRequest',
  tableName: 'certificate_request',
  properties: {
    id: uuidPrimaryKey(),
    ...tenantProperties(),
    requesterFiscalCode: p.string().length(16),
    holderFiscalCode: p.string().length(16),
    holderName: p.string().length(210),
    kinds: p.json<CertificateKind[]>(),
    use: p.string().length(200),
    status: p.enum(CERTIFICATE_REQUEST_STATUSES),
    /** The stamp duty to pay through pagoPA, in euro cents; null when exempt. */
    stampDutyCents: p.integer().nullable(),
    /** The pagoPA notice, once tributi made the position. */
    noticeNumber: p.string().length(18).nullable(),
    /** The day the notice falls due. */
    paymentDueDate: p.string().length(10).nullable(),
    paidAt: p.datetime().nullable(),
    /** Why no stamp-duty notice could be made (`payment-failed`), as tributi explained it. */
    failureReason: p.string().length(500).nullable(),
    requestedAt: p.datetime(),
    certificateId: p.uuid().nullable(),
    /** The certified facts as they stood at the request, printed if they cannot be read again at issue. */
    content: p.json<CertificateLine[]>(),
  },
  indexes: [{ properties: ['comune', 'requesterFiscalCode'] }],
});
export type CertificateRequestRecord = InferEntity<typeof CertificateRequestEntity>;

import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { tenantProperties, uuidPrimaryKey } from '@sportello/platform';
import type { CertificateKind } from '../domain/certificate-rules.js';

/** One printed line of a certificate: a label and its value. */
export interface CertificateLine {
  label: string;
  value: string;
}

/**
 * An issued certificate. What it certifies is frozen in `content` at issue, so the PDF downloaded
 * later is the document issued, even after the resident's data change.
 */
export const CertificateEntity = defineEntity({
  name: 'Certificate',
  tableName: 'certificate',
  properties: {
    id: uuidPrimaryKey(),
    ...tenantProperties(),
    /** Printed on the certificate and encoded in its QR code; anyone holding it can verify. */
    verificationCode: p.string().length(20).unique(),
    requesterFiscalCode: p.string().length(16),
    holderFiscalCode: p.string().length(16),
    holderName: p.string().length(210),
    kinds: p.json<CertificateKind[]>(),
    use: p.string().length(200),
    stampDuty: p.enum(['paid', 'exempt'] as const),
    stampDutyText: p.string().length(300),
    issuedAt: p.datetime(),
    issuedOn: p.string().length(10),
    validUntil: p.string().length(10).nullable(),
    content: p.json<CertificateLine[]>(),
  },
  indexes: [
    { properties: ['comune', 'holderFiscalCode'] },
    { properties: ['comune', 'requesterFiscalCode'] },
  ],
});
export type Certificate = InferEntity<typeof CertificateEntity>;

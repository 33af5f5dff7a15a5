import {
  verificationUrlOf,
  type CertificateRequestOutcome,
  type CertificateVerification,
} from '../domain/certificate-operations.js';
import type { Certificate } from '../entities/certificate.entity.js';
import { CertificateRequestType, CertificateType, CertificateVerificationType } from './certificate.type.js';

/** Path of a certificate's PDF on this service. */
export function certificatePdfPath(id: string): string {
  return `/certificates/${id}.pdf`;
}

export function toCertificateType(
  certificate: Certificate,
  links: { baseUrl: string; verificationUrl: string },
): CertificateType {
  return Object.assign(new CertificateType(), {
    id: certificate.id,
    kinds: [...certificate.kinds],
    holderFiscalCode: certificate.holderFiscalCode,
    requesterFiscalCode: certificate.requesterFiscalCode,
    holderName: certificate.holderName,
    use: certificate.use,
    stampDuty: certificate.stampDuty,
    stampDutyText: certificate.stampDutyText,
    issuedAt: certificate.issuedAt,
    validUntil: certificate.validUntil ?? null,
    verificationCode: certificate.verificationCode,
    verificationUrl: verificationUrlOf(links.verificationUrl, certificate.verificationCode),
    downloadUrl: `${links.baseUrl}${certificatePdfPath(certificate.id)}`,
  });
}

export function toVerificationType(verification: CertificateVerification): CertificateVerificationType {
  return Object.assign(new CertificateVerificationType(), verification);
}

export function toCertificateRequestType(
  { request, certificate }: CertificateRequestOutcome,
  links: { baseUrl: string; verificationUrl: string },
): CertificateRequestType {
  return Object.assign(new CertificateRequestType(), {
    id: request.id,
    status: request.status,
    failureReason: request.failureReason ?? null,
    kinds: [...request.kinds],
    holderFiscalCode: request.holderFiscalCode,
    use: request.use,
    requestedAt: request.requestedAt,
    stampDutyAmountCents: request.stampDutyCents ?? null,
    noticeNumber: request.noticeNumber ?? null,
    paymentDueDate: request.paymentDueDate ?? null,
    paidAt: request.paidAt ?? null,
    certificate: certificate === null ? null : toCertificateType(certificate, links),
  });
}

import { formatOrdinanceNumber, isInForce, LEGAL_BASIS_CITATIONS } from '../domain/ordinance.js';
import type { OrdinanceDocument } from '../entities/ordinance-document.entity.js';
import type { Ordinance } from '../entities/ordinance.entity.js';
import { ordinanceDocumentUrl } from '../http/feeds/feed-urls.js';
import { OrdinanceDocumentType, OrdinanceType, TerritorialScopeType } from './ordinance.type.js';

/**
 * The view of an ordinance's document (the GraphQL type, and the upload route's answer): its URL on
 * the public origin once the ordinance is published, `null` before.
 */
export function toOrdinanceDocumentType(
  document: OrdinanceDocument,
  published: boolean,
  publicUrl: string,
): OrdinanceDocumentType {
  return Object.assign(new OrdinanceDocumentType(), {
    id: document.id,
    title: document.title,
    fileName: document.fileName,
    mediaType: document.mediaType,
    bytes: document.bytes,
    sha256: document.sha256,
    uploadedAt: document.uploadedAt,
    url: published ? ordinanceDocumentUrl(publicUrl, document.comune, document.id) : null,
  });
}

/** The public view of an ordinance at `now`. */
export function toOrdinanceType(ordinance: Ordinance, now: Date): OrdinanceType {
  const number = ordinance.number ?? null;
  const year = ordinance.year ?? null;
  const effectiveUntil = ordinance.effectiveUntil ?? null;
  return Object.assign(new OrdinanceType(), {
    id: ordinance.id,
    status: ordinance.status,
    number,
    year,
    reference: number === null || year === null ? null : formatOrdinanceNumber(number, year),
    protocolNumber: ordinance.protocolNumber ?? null,
    adoptedOn: ordinance.adoptedOn ?? null,
    subject: ordinance.subject,
    legalBasis: ordinance.legalBasis,
    legalBasisCitation: LEGAL_BASIS_CITATIONS[ordinance.legalBasis],
    reasons: ordinance.reasons,
    measures: [...ordinance.measures],
    effectiveFrom: ordinance.effectiveFrom,
    effectiveUntil,
    inForce: isInForce(
      { status: ordinance.status, effectiveFrom: ordinance.effectiveFrom, effectiveUntil },
      now,
    ),
    scope: Object.assign(new TerritorialScopeType(), {
      kind: ordinance.scopeKind,
      zoneCodes: [...ordinance.zoneCodes],
      streets: [...ordinance.streets],
    }),
    alertId: ordinance.alertId ?? null,
    correctsId: ordinance.correctsId ?? null,
    publishedAt: ordinance.publishedAt ?? null,
    enforcingBody: ordinance.enforcingBody,
    appealClause: ordinance.appealClause,
    addressees: ordinance.addressees ?? null,
  });
}

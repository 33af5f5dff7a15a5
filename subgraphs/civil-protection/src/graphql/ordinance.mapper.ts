import { formatOrdinanceNumber, isInForce, LEGAL_BASIS_CITATIONS } from '../domain/ordinance.js';
import type { Ordinance } from '../entities/ordinance.entity.js';
import { OrdinanceType, TerritorialScopeType } from './ordinance.type.js';

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

/**
 * Mayoral emergency ordinances (contingibili e urgenti): drafting, publication and the rule that
 * a published ordinance never changes (a correction is a new ordinance referencing it).
 */
import type { RuleViolation } from './alert.js';

/** Legal bases of a mayoral emergency ordinance under the TUEL (D.Lgs. 267/2000). */
export const LEGAL_BASES = ['tuel-art-50-c5', 'tuel-art-54-c4'] as const;
export type LegalBasis = (typeof LEGAL_BASES)[number];

/** How the legal basis is cited in the ordinance text. */
export const LEGAL_BASIS_CITATIONS: Record<LegalBasis, string> = {
  'tuel-art-50-c5': 'art. 50, comma 5, D.Lgs. 18 agosto 2000, n. 267 (TUEL)',
  'tuel-art-54-c4': 'art. 54, comma 4, D.Lgs. 18 agosto 2000, n. 267 (TUEL)',
};

export const ORDINANCE_STATUSES = ['draft', 'published'] as const;
export type OrdinanceStatus = (typeof ORDINANCE_STATUSES)[number];

/** Where an ordinance applies. */
export type TerritorialScope =
  { kind: 'whole-comune' } | { kind: 'zones'; zoneCodes: string[] } | { kind: 'streets'; streets: string[] };
export const SCOPE_KINDS = ['whole-comune', 'zones', 'streets'] as const;
export type ScopeKind = (typeof SCOPE_KINDS)[number];

/**
 * The appeal clause every ordinance carries unless staff write their own: TAR within 60 days,
 * extraordinary appeal to the President of the Republic within 120 days, both from publication.
 */
export const DEFAULT_APPEAL_CLAUSE =
  'Avverso il presente provvedimento è ammesso ricorso al Tribunale Amministrativo Regionale entro 60 giorni ' +
  'dalla pubblicazione all’Albo Pretorio, oppure ricorso straordinario al Presidente della Repubblica entro ' +
  '120 giorni dalla medesima data.';

/** What staff write in a draft; everything can change until publication. */
export interface OrdinanceDraft {
  subject: string;
  legalBasis: LegalBasis;
  reasons: string;
  measures: readonly string[];
  effectiveFrom: Date;
  effectiveUntil?: Date | null;
  scopeKind: ScopeKind;
  zoneCodes?: readonly string[] | null;
  streets?: readonly string[] | null;
  enforcingBody: string;
  protocolNumber?: string | null;
  adoptedOn?: Date | null;
  appealClause?: string | null;
  addressees?: string | null;
}

/** A draft that passed the rules, normalised. */
export interface CheckedOrdinanceDraft {
  subject: string;
  legalBasis: LegalBasis;
  reasons: string;
  measures: string[];
  effectiveFrom: Date;
  effectiveUntil: Date | null;
  scope: TerritorialScope;
  enforcingBody: string;
  protocolNumber: string | null;
  adoptedOn: Date | null;
  appealClause: string;
  addressees: string | null;
}

function trimmedOrNull(value: string | null | undefined): string | null {
  const trimmed = value?.trim() ?? '';
  return trimmed === '' ? null : trimmed;
}

function cleanList(values: readonly string[] | null | undefined): string[] {
  return [...new Set((values ?? []).map((value) => value.trim()).filter((value) => value !== ''))];
}

/** Checks a draft; returns the normalised draft or every violation found. */
export function checkOrdinanceDraft(
  draft: OrdinanceDraft,
  knownZoneCodes: ReadonlySet<string>,
): { ok: true; draft: CheckedOrdinanceDraft } | { ok: false; violations: RuleViolation[] } {
  const violations: RuleViolation[] = [];
  const subject = draft.subject.trim();
  if (subject === '' || subject.length > 300) {
    violations.push({ field: 'subject', message: 'subject is required, 300 characters at most' });
  }
  const reasons = draft.reasons.trim();
  if (reasons === '') {
    violations.push({
      field: 'reasons',
      message: 'reasons are required (the facts and the alert the ordinance follows)',
    });
  }
  const measures = cleanList(draft.measures);
  if (measures.length === 0) {
    violations.push({ field: 'measures', message: 'state at least one ordered measure' });
  }
  const enforcingBody = draft.enforcingBody.trim();
  if (enforcingBody === '') {
    violations.push({
      field: 'enforcingBody',
      message: 'name the body that enforces the ordinance (e.g. Polizia Locale)',
    });
  }
  if (Number.isNaN(draft.effectiveFrom.getTime())) {
    violations.push({ field: 'effectiveFrom', message: 'effectiveFrom is not a valid date' });
  }
  const effectiveUntil = draft.effectiveUntil ?? null;
  if (effectiveUntil !== null && !(effectiveUntil.getTime() > draft.effectiveFrom.getTime())) {
    violations.push({ field: 'effectiveUntil', message: 'effectiveUntil must be later than effectiveFrom' });
  }
  let scope: TerritorialScope = { kind: 'whole-comune' };
  const zoneCodes = cleanList(draft.zoneCodes).sort();
  const streets = cleanList(draft.streets);
  if (draft.scopeKind === 'zones') {
    const unknown = zoneCodes.filter((code) => !knownZoneCodes.has(code));
    if (zoneCodes.length === 0) {
      violations.push({ field: 'zoneCodes', message: 'a scope of zones needs at least one zone code' });
    } else if (unknown.length > 0) {
      violations.push({
        field: 'zoneCodes',
        message: `unknown zone code(s) for this comune: ${unknown.join(', ')}`,
      });
    }
    scope = { kind: 'zones', zoneCodes };
  } else if (draft.scopeKind === 'streets') {
    if (streets.length === 0) {
      violations.push({ field: 'streets', message: 'a scope of streets needs at least one street' });
    }
    scope = { kind: 'streets', streets };
  }
  if (draft.scopeKind !== 'zones' && zoneCodes.length > 0) {
    violations.push({
      field: 'zoneCodes',
      message: `zoneCodes only apply to a scope of zones, not ${draft.scopeKind}`,
    });
  }
  if (draft.scopeKind !== 'streets' && streets.length > 0) {
    violations.push({
      field: 'streets',
      message: `streets only apply to a scope of streets, not ${draft.scopeKind}`,
    });
  }
  const adoptedOn = draft.adoptedOn ?? null;
  if (adoptedOn !== null && Number.isNaN(adoptedOn.getTime())) {
    violations.push({ field: 'adoptedOn', message: 'adoptedOn is not a valid date' });
  }
  const protocolNumber = trimmedOrNull(draft.protocolNumber);
  if (protocolNumber !== null && protocolNumber.length > 50) {
    violations.push({ field: 'protocolNumber', message: 'protocolNumber exceeds 50 characters' });
  }
  if (violations.length > 0) {
    return { ok: false, violations };
  }
  return {
    ok: true,
    draft: {
      subject,
      legalBasis: draft.legalBasis,
      reasons,
      measures,
      effectiveFrom: draft.effectiveFrom,
      effectiveUntil,
      scope,
      enforcingBody,
      protocolNumber,
      adoptedOn,
      appealClause: trimmedOrNull(draft.appealClause) ?? DEFAULT_APPEAL_CLAUSE,
      addressees: trimmedOrNull(draft.addressees),
    },
  };
}

/** What publication needs beyond a valid draft. */
export interface PublishableFacts {
  status: OrdinanceStatus;
  protocolNumber: string | null;
  adoptedOn: Date | null;
}

/**
 * Violations that keep a draft from being published: an ordinance goes on the Albo Pretorio only
 * once it has been registered (protocol number) and adopted (date).
 */
export function publicationBlockers(ordinance: PublishableFacts, now: Date): RuleViolation[] {
  const violations: RuleViolation[] = [];
  if (ordinance.protocolNumber === null) {
    violations.push({
      field: 'protocolNumber',
      message: 'register the ordinance (protocol number) before publishing',
    });
  }
  if (ordinance.adoptedOn === null) {
    violations.push({ field: 'adoptedOn', message: 'set the adoption date before publishing' });
  } else if (ordinance.adoptedOn.getTime() > now.getTime()) {
    violations.push({
      field: 'adoptedOn',
      message: 'an ordinance cannot be published before its adoption date',
    });
  }
  return violations;
}

/** The facts needed to tell whether an ordinance is in force. */
export interface OrdinanceTiming {
  status: OrdinanceStatus;
  effectiveFrom: Date;
  effectiveUntil: Date | null;
}

/** Whether a published ordinance is in force at `now` (no end date: until revoked). */
export function isInForce(ordinance: OrdinanceTiming, now: Date): boolean {
  return (
    ordinance.status === 'published' &&
    ordinance.effectiveFrom.getTime() <= now.getTime() &&
    (ordinance.effectiveUntil === null || ordinance.effectiveUntil.getTime() > now.getTime())
  );
}

/** The register number, as cited: `12/2025`. */
export function formatOrdinanceNumber(number: number, year: number): string {
  return `${number}/${year}`;
}

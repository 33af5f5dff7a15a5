import { addMonths, type IsoDate } from '@sportello/platform';

/**
 * Certificates a citizen can obtain online, for themselves or a family member. Several can be
 * combined in one contestuale document.
 */
export const CERTIFICATE_KINDS = [
  'birth',
  'marriage',
  'citizenship',
  'existence',
  'residence',
  'residence-aire',
  'civil-status',
  'family',
  'family-civil-status',
  'residence-cohabitation',
  'family-aire',
  'family-relationships',
  'free-status',
  'civil-union',
  'cohabitation-agreement',
] as const;
export type CertificateKind = (typeof CERTIFICATE_KINDS)[number];

/** How each kind is printed and which rules apply to it. */
export interface CertificateKindRule {
  /** Title printed on the certificate. */
  title: string;
  /**
   * Drawn from the civil-status registers (birth, marriage, civil union): always exempt from
   * stamp duty.
   */
  civilStatusRegister: boolean;
  /** Certifies a fact that cannot change (birth), so it never expires. */
  unchangeableFact: boolean;
}

export const CERTIFICATE_KIND_RULES: Readonly<Record<CertificateKind, CertificateKindRule>> = {
  birth: { title: 'Certificato anagrafico di nascita', civilStatusRegister: true, unchangeableFact: true },
  marriage: {
    title: 'Certificato anagrafico di matrimonio',
    civilStatusRegister: true,
    unchangeableFact: false,
  },
  citizenship: { title: 'Certificato di cittadinanza', civilStatusRegister: false, unchangeableFact: false },
  existence: {
    title: 'Certificato di esistenza in vita',
    civilStatusRegister: false,
    unchangeableFact: false,
  },
  residence: { title: 'Certificato di residenza', civilStatusRegister: false, unchangeableFact: false },
  'residence-aire': {
    title: 'Certificato di residenza AIRE',
    civilStatusRegister: false,
    unchangeableFact: false,
  },
  'civil-status': {
    title: 'Certificato di stato civile',
    civilStatusRegister: true,
    unchangeableFact: false,
  },
  family: { title: 'Certificato di stato di famiglia', civilStatusRegister: false, unchangeableFact: false },
  'family-civil-status': {
    title: 'Certificato di stato di famiglia e di stato civile',
    civilStatusRegister: false,
    unchangeableFact: false,
  },
  'residence-cohabitation': {
    title: 'Certificato di residenza in convivenza',
    civilStatusRegister: false,
    unchangeableFact: false,
  },
  'family-aire': {
    title: 'Certificato di stato di famiglia AIRE',
    civilStatusRegister: false,
    unchangeableFact: false,
  },
  'family-relationships': {
    title: 'Certificato di stato di famiglia con rapporti di parentela',
    civilStatusRegister: false,
    unchangeableFact: false,
  },
  'free-status': {
    title: 'Certificato di stato libero',
    civilStatusRegister: false,
    unchangeableFact: false,
  },
  'civil-union': {
    title: 'Certificato anagrafico di unione civile',
    civilStatusRegister: true,
    unchangeableFact: false,
  },
  'cohabitation-agreement': {
    title: 'Certificato di contratto di convivenza',
    civilStatusRegister: false,
    unchangeableFact: false,
  },
};

/**
 * Grounds for exemption from the 16 EUR stamp duty the requester can state, each with the
 * wording printed on the certificate.
 */
export const STAMP_DUTY_EXEMPTIONS = {
  pension: 'Esente da bollo ai sensi dell’art. 9 Tabella B D.P.R. 642/1972 (uso pensionistico)',
  'labour-dispute':
    'Esente da bollo ai sensi dell’art. 12 Tabella B D.P.R. 642/1972 (controversie di lavoro)',
  'family-allowance': 'Esente da bollo ai sensi dell’art. 9 Tabella B D.P.R. 642/1972 (assegni familiari)',
  'separation-divorce': 'Esente da bollo ai sensi dell’art. 19 L. 74/1987 (separazione e divorzio)',
  'adoption-fostering': 'Esente da bollo ai sensi dell’art. 82 L. 184/1983 (adozione e affidamento)',
  school: 'Esente da bollo ai sensi dell’art. 11 Tabella B D.P.R. 642/1972 (uso scolastico)',
  'non-profit':
    'Esente da bollo ai sensi dell’art. 27-bis Tabella B D.P.R. 642/1972 (ONLUS, enti del Terzo settore)',
  sport:
    'Esente da bollo ai sensi dell’art. 8-bis Tabella B D.P.R. 642/1972 (associazioni sportive dilettantistiche)',
  'legal-aid': 'Esente da bollo ai sensi dell’art. 131 D.P.R. 115/2002 (gratuito patrocinio)',
} as const;
export type StampDutyExemption = keyof typeof STAMP_DUTY_EXEMPTIONS;
export const STAMP_DUTY_EXEMPTION_GROUNDS = Object.keys(STAMP_DUTY_EXEMPTIONS) as StampDutyExemption[];

/** Printed when every kind comes from the civil-status registers. */
export const CIVIL_STATUS_EXEMPTION_TEXT =
  'Esente da bollo: certificato di stato civile (art. 7 Tabella B D.P.R. 642/1972)';

/** Printed when the comune exempts every certificate issued online. */
export const ONLINE_EXEMPTION_TEXT = 'Esente da bollo: certificato rilasciato in modalità telematica';

/**
 * The stamp duty of one certificate: exempt (with the wording printed), or due (paid through pagoPA
 * before the certificate is issued).
 */
export type StampDuty =
  | { status: 'exempt'; reason: 'civil-status' | 'online' | StampDutyExemption; text: string }
  | { status: 'due'; amountCents: number };

/** Value of the revenue stamp in euro cents. */
export const STAMP_DUTY_CENTS = 1600;

/** Days the citizen has to pay a certificate's stamp-duty notice. */
export const STAMP_DUTY_PAYMENT_DAYS = 30;

/**
 * The wording printed on a certificate whose stamp duty was paid through pagoPA: the notice, its
 * IUV (the notice number without its leading auxiliary digit) and the day of payment (`dd/mm/yyyy`).
 */
export function paidStampDutyText(noticeNumber: string, paidOn: string): string {
  return (
    `Imposta di bollo di 16,00 EUR assolta tramite pagoPA: avviso n. ${noticeNumber} ` +
    `(IUV ${noticeNumber.slice(1)}), pagato il ${paidOn}`
  );
}

/**
 * Decides whether a certificate pays stamp duty (then it is issued once paid). Civil-status certificates are always exempt; a
 * contestuale that mixes them with other kinds is exempt only on a stated ground (or when the
 * comune exempts online certificates).
 */
export function stampDutyFor(
  kinds: readonly CertificateKind[],
  exemption: StampDutyExemption | null,
  settings: { onlineCertificatesExempt: boolean },
): StampDuty {
  if (kinds.length > 0 && kinds.every((kind) => CERTIFICATE_KIND_RULES[kind].civilStatusRegister)) {
    return { status: 'exempt', reason: 'civil-status', text: CIVIL_STATUS_EXEMPTION_TEXT };
  }
  if (exemption !== null)
    return { status: 'exempt', reason: exemption, text: STAMP_DUTY_EXEMPTIONS[exemption] };
  if (settings.onlineCertificatesExempt)
    return { status: 'exempt', reason: 'online', text: ONLINE_EXEMPTION_TEXT };
  return { status: 'due', amountCents: STAMP_DUTY_CENTS };
}

/** Certificates last 6 months from issue. */
export const CERTIFICATE_VALIDITY_MONTHS = 6;

/**
 * Last day a certificate is valid: 6 months after issue, or `null` (no limit) when every kind
 * certifies a fact that cannot change.
 */
export function certificateValidUntil(kinds: readonly CertificateKind[], issuedOn: IsoDate): IsoDate | null {
  if (kinds.every((kind) => CERTIFICATE_KIND_RULES[kind].unchangeableFact)) return null;
  return addMonths(issuedOn, CERTIFICATE_VALIDITY_MONTHS);
}

/** A rule the request breaks, named by its field. */
export interface RequestViolation {
  field: string;
  message: string;
}

/** Checks the kinds and the stated use of a certificate request. */
export function checkCertificateRequest(input: {
  kinds: readonly string[];
  use: string;
}): RequestViolation[] {
  const violations: RequestViolation[] = [];
  if (input.kinds.length === 0)
    violations.push({ field: 'kinds', message: 'choose at least one certificate kind' });
  if (new Set(input.kinds).size !== input.kinds.length) {
    violations.push({ field: 'kinds', message: 'each kind can appear once in a contestuale certificate' });
  }
  const use = input.use.trim();
  if (use.length < 3 || use.length > 200) {
    violations.push({ field: 'use', message: 'state what the certificate is for (3 to 200 characters)' });
  }
  return violations;
}

import { randomBytes } from 'node:crypto';
import {
  BadUserInputError,
  canReadPersonalData,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  recordEvent,
  requireAuthenticated,
  type EntityManager,
} from '@sportello/platform';
import { renderCertificatePdf, italianDate } from '../certificates/certificate-pdf.js';
import type { AnagrafeContext } from '../context.js';
import { CertificateEntity, type Certificate, type CertificateLine } from '../entities/certificate.entity.js';
import type { Resident } from '../entities/resident.entity.js';
import { certificateIssuedEvent } from '../events/anagrafe-events.js';
import {
  CERTIFICATE_KIND_RULES,
  certificateValidUntil,
  checkCertificateRequest,
  stampDutyFor,
  type CertificateKind,
  type StampDutyExemption,
} from './certificate-rules.js';
import { isParentOfMinor, requireCitizenOf } from './record-access.js';
import { familyMembers } from './residents.js';

/** Letters and digits that cannot be mistaken for one another when typed (Crockford base32). */
const CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A fresh verification code, `XXXX-XXXX-XXXX` (60 random bits). */
export function newVerificationCode(): string {
  const bytes = randomBytes(12);
  const chars = [...bytes].map((byte) => CODE_ALPHABET[byte % 32]);
  return [chars.slice(0, 4), chars.slice(4, 8), chars.slice(8, 12)].map((group) => group.join('')).join('-');
}

/** A code as typed (any case, spaces or dashes anywhere) in its stored form, or null when it cannot be one. */
export function normaliseVerificationCode(input: string): string | null {
  const compact = input.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  if (!/^[0-9A-HJKMNP-TV-Z]{12}$/.test(compact)) return null;
  return `${compact.slice(0, 4)}-${compact.slice(4, 8)}-${compact.slice(8, 12)}`;
}

const CIVIL_STATUS_TEXT: Record<Resident['civilStatus'], [string, string]> = {
  single: ['celibe', 'nubile'],
  married: ['coniugato', 'coniugata'],
  'civil-union': ['unito civilmente', 'unita civilmente'],
  widowed: ['vedovo', 'vedova'],
  divorced: ['divorziato', 'divorziata'],
  separated: ['separato', 'separata'],
};

const RELATIONSHIP_TEXT: Record<Resident['relationship'], string> = {
  head: 'intestatario della scheda',
  spouse: 'coniuge',
  child: 'figlio/a',
  parent: 'genitore',
  cohabitant: 'convivente',
};

function civilStatusOf(resident: Resident): string {
  const [male, female] = CIVIL_STATUS_TEXT[resident.civilStatus];
  return resident.sex === 'F' ? female : male;
}

function citizenshipOf(resident: Resident): string {
  if (resident.citizenship === 'IT') return 'italiana';
  const name = new Intl.DisplayNames(['it'], { type: 'region' }).of(resident.citizenship);
  return `${name ?? resident.citizenship} (${resident.citizenship})`;
}

function nameOf(resident: Resident): string {
  return `${resident.familyName.toUpperCase()} ${resident.givenName.toUpperCase()}`;
}

/** The facts a certificate of `kinds` states about `holder`, in print order. */
async function certifiedLines(
  em: EntityManager,
  holder: Resident,
  kinds: readonly CertificateKind[],
  comuneName: string,
): Promise<CertificateLine[]> {
  const lines: CertificateLine[] = [];
  const add = (label: string, value: string) => {
    if (!lines.some((line) => line.label === label && line.value === value)) lines.push({ label, value });
  };
  add('Codice fiscale', holder.fiscalCode);
  let family: Resident[] | undefined;
  for (const kind of kinds) {
    switch (kind) {
      case 'residence-aire':
      case 'family-aire':
        throw new ConflictError(
          `${CERTIFICATE_KIND_RULES[kind].title}: ${nameOf(holder)} is resident in the comune, not registered in AIRE`,
          { reason: 'NOT_IN_AIRE', field: 'kinds' },
        );
      case 'cohabitation-agreement':
        throw new ConflictError(
          `${CERTIFICATE_KIND_RULES[kind].title}: no cohabitation agreement is registered`,
          {
            reason: 'NO_COHABITATION_AGREEMENT',
            field: 'kinds',
          },
        );
      case 'marriage':
        if (holder.civilStatus !== 'married' && holder.civilStatus !== 'separated') {
          throw new ConflictError(`${CERTIFICATE_KIND_RULES[kind].title}: no marriage is recorded`, {
            reason: 'NOT_MARRIED',
            field: 'kinds',
          });
        }
        add('Stato civile', civilStatusOf(holder));
        break;
      case 'civil-union':
        if (holder.civilStatus !== 'civil-union') {
          throw new ConflictError(`${CERTIFICATE_KIND_RULES[kind].title}: no civil union is recorded`, {
            reason: 'NO_CIVIL_UNION',
            field: 'kinds',
          });
        }
        add('Stato civile', civilStatusOf(holder));
        break;
      case 'free-status':
        if (
          holder.civilStatus === 'married' ||
          holder.civilStatus === 'civil-union' ||
          holder.civilStatus === 'separated'
        ) {
          throw new ConflictError(
            `${CERTIFICATE_KIND_RULES[kind].title}: the person is ${civilStatusOf(holder)}`,
            {
              reason: 'NOT_FREE',
              field: 'kinds',
            },
          );
        }
        add('Stato libero', `${civilStatusOf(holder)}, libero/a da vincoli matrimoniali e di unione civile`);
        break;
      case 'birth':
        add(
          'Nascita',
          `${holder.birthPlaceName} (${holder.birthPlaceCode}), ${italianDate(holder.birthDate)}`,
        );
        break;
      case 'citizenship':
        add('Cittadinanza', citizenshipOf(holder));
        break;
      case 'existence':
        add('Esistenza in vita', 'in vita alla data del rilascio');
        break;
      case 'residence':
      case 'residence-cohabitation':
        add(
          'Residenza',
          `${holder.street} ${holder.streetNumber}, ${holder.postcode} ${comuneName}, dal ${italianDate(holder.residentSince)}`,
        );
        break;
      case 'civil-status':
        add('Stato civile', civilStatusOf(holder));
        break;
      case 'family':
      case 'family-civil-status':
      case 'family-relationships': {
        family ??= await familyMembers(em, holder.familyCode);
        add('Residenza', `${holder.street} ${holder.streetNumber}, ${holder.postcode} ${comuneName}`);
        family.forEach((member, index) => {
          const parts = [
            `${nameOf(member)}, nato/a il ${italianDate(member.birthDate)} a ${member.birthPlaceName}`,
          ];
          if (kind === 'family-civil-status') parts.push(civilStatusOf(member));
          if (kind === 'family-relationships') parts.push(RELATIONSHIP_TEXT[member.relationship]);
          add(`Componente ${index + 1} della famiglia`, parts.join(', '));
        });
        if (kind === 'family-civil-status') add('Stato civile', civilStatusOf(holder));
        break;
      }
    }
  }
  return lines;
}

/** A certificate request, as the citizen states it. */
export interface CertificateRequest {
  /** The person the certificate is about; the requester when absent. */
  holderFiscalCode?: string | null;
  kinds: CertificateKind[];
  use: string;
  exemption?: StampDutyExemption | null;
}

/**
 * Issues a certificate for the requester or a member of their family (or someone they act for):
 * freezes the certified facts, decides stamp duty and validity, and records `certificate.issued`
 * in the same transaction.
 *
 * @throws UnauthenticatedError, ForbiddenError (not a citizen, or the holder is not their family),
 * NotFoundError (holder not resident), BadUserInputError, ConflictError (the registry has no such fact).
 */
export async function issueCertificate(
  ctx: AnagrafeContext,
  request: CertificateRequest,
  actor: Parameters<typeof certificateIssuedEvent>[1],
): Promise<Certificate> {
  requireAuthenticated(ctx.principal);
  const requester = requireCitizenOf(
    ctx.principal,
    'Only a citizen (or an app with the "anagrafe" scope on their grant) requests certificates online.',
  );
  const violations = checkCertificateRequest(request);
  if (violations.length > 0) {
    throw new BadUserInputError(violations.map((v) => `${v.field}: ${v.message}`).join('; '), {
      field: violations[0]!.field,
    });
  }
  const holderCode = (request.holderFiscalCode ?? requester).toUpperCase();
  const [holder, self] = await Promise.all([ctx.residents.load(holderCode), ctx.residents.load(requester)]);
  const allowed =
    holderCode === requester ||
    canReadPersonalData(ctx.principal, holderCode, { scope: 'anagrafe' }) ||
    (holder !== null &&
      self !== null &&
      (holder.familyCode === self.familyCode || isParentOfMinor(self, holder, ctx.today)));
  if (!allowed) {
    throw new ForbiddenError(
      'You can request certificates for yourself and the members of your family only.',
      {
        reason: 'NOT_FAMILY',
      },
    );
  }
  if (holder === null)
    throw new NotFoundError('The person is not resident in this comune: no certificate can be issued.');

  const comuneName = ctx.settings.comuneNames[holder.comune] ?? holder.comune;
  const kinds = [...request.kinds];
  const lines = await certifiedLines(ctx.em, holder, kinds, comuneName);
  const duty = stampDutyFor(kinds, request.exemption ?? null, ctx.settings);
  const certificate = ctx.em.create(CertificateEntity, {
    comune: holder.comune,
    verificationCode: newVerificationCode(),
    requesterFiscalCode: requester,
    holderFiscalCode: holder.fiscalCode,
    holderName: `${holder.givenName} ${holder.familyName}`,
    kinds,
    use: request.use.trim(),
    stampDuty: duty.status,
    stampDutyText: duty.text,
    issuedAt: ctx.now,
    issuedOn: ctx.today,
    validUntil: certificateValidUntil(kinds, ctx.today),
    content: lines,
  });
  recordEvent(ctx.em, certificateIssuedEvent(certificate, actor));
  await ctx.em.flush();
  return certificate;
}

/** The verification page of a code. */
export function verificationUrlOf(baseUrl: string, code: string): string {
  const url = new URL(baseUrl);
  url.searchParams.set('code', code);
  return url.toString();
}

/** The PDF of an issued certificate, rendered from what was frozen at issue. */
export function certificatePdf(
  certificate: Certificate,
  comuneName: string,
  verificationBaseUrl: string,
): Promise<Buffer> {
  return renderCertificatePdf({
    comuneName,
    titles: certificate.kinds.map((kind) => CERTIFICATE_KIND_RULES[kind].title),
    holderName: certificate.holderName.toUpperCase(),
    lines: certificate.content,
    use: certificate.use,
    stampDutyText: certificate.stampDutyText,
    issuedAt: certificate.issuedAt,
    issuedOn: italianDate(certificate.issuedOn),
    validUntil:
      certificate.validUntil === null || certificate.validUntil === undefined
        ? null
        : italianDate(certificate.validUntil),
    verificationCode: certificate.verificationCode,
    verificationUrl: verificationUrlOf(verificationBaseUrl, certificate.verificationCode),
  });
}

/** What a verification reveals: only what the certificate itself says. */
export interface CertificateVerification {
  kinds: CertificateKind[];
  issuedOn: string;
  validUntil: string | null;
  holderName: string;
  /** Within its validity on the day of the check. */
  valid: boolean;
}

/** Looks a code up among the certificates of the EntityManager's comune. */
export async function verifyCertificate(
  em: EntityManager,
  code: string,
  today: string,
): Promise<CertificateVerification | null> {
  const normalised = normaliseVerificationCode(code);
  if (normalised === null) return null;
  const certificate = await em.findOne(CertificateEntity, { verificationCode: normalised });
  if (certificate === null) return null;
  const validUntil = certificate.validUntil ?? null;
  return {
    kinds: [...certificate.kinds],
    issuedOn: certificate.issuedOn,
    validUntil,
    holderName: certificate.holderName,
    valid: validUntil === null || today <= validUntil,
  };
}

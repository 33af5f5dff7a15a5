import { randomBytes } from 'node:crypto';
import {
  BadUserInputError,
  canReadPersonalData,
  ConflictError,
  ForbiddenError,
  isClientError,
  NotFoundError,
  recordEvent,
  requireAuthenticated,
  findConnection,
  withNodes,
  type Connection,
  type EntityManager,
  type KeysetOrder,
  addDays,
  todayIn,
} from '@sportello/platform';
import { renderCertificatePdf, italianDate } from './certificate-pdf.js';
import type { AnagrafeContext, AnagrafeSettings } from '../context.js';
import {
  CertificateRequestEntity,
  type CertificateRequestRecord,
} from '../entities/certificate-request.entity.js';
import { CertificateEntity, type Certificate, type CertificateLine } from '../entities/certificate.entity.js';
import { ResidentEntity, type Resident } from '../entities/resident.entity.js';
import { certificateIssuedEvent, certificatePaymentRequestedEvent } from '../events/anagrafe-events.js';
import {
  CERTIFICATE_KIND_RULES,
  certificateValidUntil,
  checkCertificateRequest,
  paidStampDutyText,
  STAMP_DUTY_PAYMENT_DAYS,
  stampDutyFor,
  type CertificateKind,
  type StampDutyExemption,
} from './certificate-rules.js';
import { isParentOfMinor, requireCitizenOf } from './access.js';
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

/** A certificate request and, once issued, its certificate. */
export interface CertificateRequestOutcome {
  request: CertificateRequestRecord;
  certificate: Certificate | null;
}

/** Subject of a stamp-duty notice (at most 90 characters, as pagoPA prints it). */
function noticeDescription(kinds: readonly CertificateKind[]): string {
  const what = kinds.length === 1 ? CERTIFICATE_KIND_RULES[kinds[0]!].title : 'Certificato contestuale';
  return `Imposta di bollo - ${what}`.slice(0, 90);
}

/**
 * Requests a certificate for the requester or a member of their family (or someone they act for).
 * When an exemption applies the certificate is issued at once: the certified facts are frozen,
 * validity decided, and `certificate.issued` recorded in the same transaction. Otherwise the
 * request waits for its 16 EUR stamp duty (`awaiting-payment`) and `certificate.payment-requested`
 * asks tributi for the pagoPA notice; {@link issuePaidCertificate} issues it once paid.
 *
 * @throws UnauthenticatedError, ForbiddenError (not a citizen, or the holder is not their family),
 * NotFoundError (holder not resident), BadUserInputError, ConflictError (the registry has no such fact).
 */
export async function requestCertificate(
  ctx: AnagrafeContext,
  request: CertificateRequest,
  actor: Parameters<typeof certificateIssuedEvent>[1],
): Promise<CertificateRequestOutcome> {
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
  const pending = ctx.em.create(CertificateRequestEntity, {
    comune: holder.comune,
    requesterFiscalCode: requester,
    holderFiscalCode: holder.fiscalCode,
    holderName: `${holder.givenName} ${holder.familyName}`,
    kinds,
    use: request.use.trim(),
    status: duty.status === 'due' ? 'awaiting-payment' : 'issued',
    stampDutyCents: duty.status === 'due' ? duty.amountCents : null,
    noticeNumber: null,
    paymentDueDate: duty.status === 'due' ? addDays(ctx.today, STAMP_DUTY_PAYMENT_DAYS) : null,
    paidAt: null,
    failureReason: null,
    requestedAt: ctx.now,
    certificateId: null,
    content: lines,
  });
  if (duty.status === 'due') {
    recordEvent(ctx.em, certificatePaymentRequestedEvent(pending, noticeDescription(kinds), actor));
    await ctx.em.flush();
    return { request: pending, certificate: null };
  }
  const certificate = createCertificate(ctx.em, pending, lines, duty.text, 'exempt', ctx.now, ctx.today);
  recordEvent(ctx.em, certificateIssuedEvent(certificate, actor));
  await ctx.em.flush();
  return { request: pending, certificate };
}

/** Issues the certificate of `request` (frozen `lines`, decided stamp duty) and links it to the request. */
function createCertificate(
  em: EntityManager,
  request: CertificateRequestRecord,
  lines: CertificateLine[],
  stampDutyText: string,
  stampDuty: 'paid' | 'exempt',
  now: Date,
  today: string,
): Certificate {
  const certificate = em.create(CertificateEntity, {
    comune: request.comune,
    verificationCode: newVerificationCode(),
    requesterFiscalCode: request.requesterFiscalCode,
    holderFiscalCode: request.holderFiscalCode,
    holderName: request.holderName,
    kinds: [...request.kinds],
    use: request.use,
    stampDuty,
    stampDutyText,
    issuedAt: now,
    issuedOn: today,
    validUntil: certificateValidUntil(request.kinds, today),
    content: lines,
  });
  request.status = 'issued';
  request.certificateId = certificate.id;
  return certificate;
}

/** Who issues a certificate once its stamp duty is paid, for the record and the events. */
const STAMP_DUTY_ACTOR = { kind: 'system', id: 'certificate-stamp-duty' } as const;

/** Records the pagoPA notice tributi made for a waiting request (`payment.position-created`). */
export async function recordStampDutyNotice(
  em: EntityManager,
  requestId: string,
  notice: { noticeNumber: string; dueDate: string },
): Promise<void> {
  const request = await em.findOne(CertificateRequestEntity, { id: requestId });
  if (request === null || request.status !== 'awaiting-payment') return;
  request.noticeNumber = notice.noticeNumber;
  request.paymentDueDate = notice.dueDate;
  await em.flush();
}

/**
 * Closes a waiting request whose stamp-duty notice tributi cancelled (`payment.position-cancelled`):
 * nothing will be issued for it; the citizen can request the certificate again.
 */
export async function cancelCertificateRequest(em: EntityManager, requestId: string): Promise<void> {
  await em.nativeUpdate(
    CertificateRequestEntity,
    { id: requestId, status: 'awaiting-payment' },
    { status: 'cancelled' },
  );
}

/**
 * Marks a waiting request whose stamp duty tributi could not bill (`payment.fee-refused`) as
 * failed, with the reason: no notice will come for it, and the citizen can request the certificate
 * again. A request already issued or cancelled is left as it is.
 */
export async function failCertificatePayment(
  em: EntityManager,
  requestId: string,
  reason: string,
): Promise<void> {
  await em.nativeUpdate(
    CertificateRequestEntity,
    { id: requestId, status: 'awaiting-payment' },
    { status: 'payment-failed', failureReason: reason.slice(0, 500) },
  );
}

/**
 * Issues the certificate of a request whose stamp duty was paid (`payment.received` with the
 * request id as reference): the PDF names the notice, its IUV and the day of payment. A request
 * already issued is left as it is, so a receipt delivered twice (or two at once) issues one
 * certificate.
 * The facts are read again on the day of issue; if the registry no longer has them, the ones of
 * the request day are printed.
 */
export async function issuePaidCertificate(
  em: EntityManager,
  requestId: string,
  payment: { noticeNumber: string; paidAt: Date },
  settings: AnagrafeSettings,
  now: Date,
): Promise<Certificate | null> {
  // Claimed by a conditional update: of two receipts handled at once, the second finds it issued.
  const claimed = await em.nativeUpdate(
    CertificateRequestEntity,
    { id: requestId, status: 'awaiting-payment' },
    { status: 'issued' },
  );
  if (claimed === 0) return null;
  const request = await em.findOneOrFail(CertificateRequestEntity, { id: requestId }, { refresh: true });
  const today = todayIn(settings.timeZone, now);
  let lines = request.content;
  const holder = await em.findOne(ResidentEntity, { fiscalCode: request.holderFiscalCode });
  if (holder !== null) {
    try {
      lines = await certifiedLines(
        em,
        holder,
        request.kinds,
        settings.comuneNames[holder.comune] ?? holder.comune,
      );
    } catch (error) {
      if (!isClientError(error)) throw error;
    }
  }
  request.noticeNumber = payment.noticeNumber;
  request.paidAt = payment.paidAt;
  const text = paidStampDutyText(
    payment.noticeNumber,
    italianDate(todayIn(settings.timeZone, payment.paidAt)),
  );
  const certificate = createCertificate(em, request, lines, text, 'paid', now, today);
  recordEvent(em, certificateIssuedEvent(certificate, STAMP_DUTY_ACTOR));
  await em.flush();
  return certificate;
}

/** The requester's certificate requests, one page newest first, each with its certificate once issued. */
export async function certificateRequestsOf(
  ctx: AnagrafeContext,
  page: { first?: number | null; after?: string | null },
): Promise<Connection<CertificateRequestOutcome>> {
  requireAuthenticated(ctx.principal);
  const requester = requireCitizenOf(
    ctx.principal,
    'Only a citizen (or an app with the "anagrafe" scope on their grant) has certificate requests.',
  );
  return certificateRequestsBy(ctx.em, requester, page);
}

/** Newest first; the id breaks ties between requests of the same instant. */
const REQUEST_ORDER: KeysetOrder = [
  ['requestedAt', 'desc'],
  ['id', 'desc'],
];

/**
 * One page of the certificate requests a person made, newest first, each with its certificate once
 * issued; the caller decides who may read them.
 * @throws BadUserInputError naming `first` or `after`
 */
export async function certificateRequestsBy(
  em: EntityManager,
  requester: string,
  page: { first?: number | null; after?: string | null },
): Promise<Connection<CertificateRequestOutcome>> {
  const requests = await findConnection(
    em,
    CertificateRequestEntity,
    { requesterFiscalCode: requester },
    { order: REQUEST_ORDER, first: page.first, after: page.after },
  );
  const ids = requests.nodes.flatMap((request) =>
    request.certificateId == null ? [] : [request.certificateId],
  );
  const certificates = ids.length === 0 ? [] : await em.find(CertificateEntity, { id: { $in: ids } });
  const byId = new Map(certificates.map((certificate) => [certificate.id, certificate]));
  return withNodes(
    requests,
    requests.nodes.map((request) => ({
      request,
      certificate: request.certificateId == null ? null : (byId.get(request.certificateId) ?? null),
    })),
  );
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

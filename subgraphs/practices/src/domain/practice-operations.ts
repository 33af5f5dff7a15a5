/**
 * Practice use cases on a request's EntityManager. Every change writes the practice, its timeline
 * entry and its outbox events in one transaction.
 */
import { OptimisticLockError } from '@mikro-orm/core';
import {
  BadUserInputError,
  ConflictError,
  recordEvent,
  type EntityManager,
  isIsoDate,
} from '@sportello/platform';
import { isValidFiscalCode, type Actor, type PracticeStatus } from '@sportello/schema';
import { AttachmentEntity } from '../entities/attachment.entity.js';
import {
  IntegrationRequestEntity,
  PracticeChangeEntity,
  PracticeEntity,
  PracticeFeeEntity,
  PracticeMessageEntity,
  type Practice,
  type PracticeFee,
} from '../entities/practice.entity.js';
import {
  PracticeTypeEntity,
  type FeeRequestMoment,
  type PracticeType,
} from '../entities/practice-type.entity.js';
import {
  concurrentChange,
  illegalTransition,
  invalidInput,
  NOTE_ARGUMENT,
  practiceNotFound,
  practiceTypeNotFound,
} from '../errors.js';
import {
  practiceFeeExemptedEvent,
  practiceIntegrationRequestedEvent,
  practicePaymentRequestedEvent,
  practiceMessagePostedEvent,
  practiceStatusChangedEvent,
  practiceSubmittedEvent,
} from '../events/practice-events.js';
import { citizenActor, citizenConcerned, peopleOf, type CitizenCaller } from './access.js';
import { validateForm } from './form.js';
import { nextProtocolNumber } from './protocol.js';
import { checkTransition, EDITABLE_STATUSES, type PracticeAction, type WorkflowRole } from './workflow.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Longest message on a practice. */
const MAX_MESSAGE = 4000;
/**
 * Longest note of a workflow step (a reason, an integration request or its answer): the citizen is
 * sent it whole in `practice.status-changed`, which carries up to 1000 characters, so a longer one
 * is refused rather than cut.
 */
export const MAX_NOTE = 1000;

/** Actor of the service's own steps (registration after submission). */
export const PROTOCOL_ACTOR: Actor = { kind: 'system', id: 'protocol' };

/** Whether `id` can be a practice's id (a UUID): anything else is not looked up. */
export function isPracticeId(id: string): boolean {
  return UUID.test(id);
}

/** A practice of the comune by id, or null (also for ids that are not UUIDs). */
export async function findPractice(em: EntityManager, id: string): Promise<Practice | null> {
  return UUID.test(id) ? em.findOne(PracticeEntity, { id }) : null;
}

/** A practice the citizen is concerned by; NOT_FOUND otherwise, so existence is not revealed. */
export async function citizenPractice(
  em: EntityManager,
  caller: CitizenCaller,
  id: string,
): Promise<Practice> {
  const practice = await findPractice(em, id);
  if (practice === null || !citizenConcerned(caller, practice)) throw practiceNotFound(id);
  return practice;
}

export async function findPracticeType(em: EntityManager, code: string): Promise<PracticeType | null> {
  return em.findOne(PracticeTypeEntity, { code, active: true });
}

function cleanNote(note: string | null | undefined, field = 'note'): string | null {
  const trimmed = note?.trim() ?? '';
  if (trimmed.length > MAX_NOTE) {
    throw new BadUserInputError(
      `${field} is too long: ${trimmed.length} characters, ${MAX_NOTE} at most (shorten it; nothing is cut)`,
      { field },
    );
  }
  return trimmed === '' ? null : trimmed;
}

/**
 * Applies one workflow action: checks the transition table, moves the practice, appends the
 * timeline entry and records `practice.status-changed`. Nothing is flushed here.
 * @throws ConflictError naming the current status and the action when the table refuses it
 */
function applyAction(
  em: EntityManager,
  practice: Practice,
  action: PracticeAction,
  role: WorkflowRole,
  actor: Actor,
  note: string | null,
  now: Date,
  protocolNumber: string | null = null,
): void {
  const check = checkTransition(practice.status, action, role, note);
  if (!check.ok) throw illegalTransition(practice.id, check.refusal);
  const from = practice.status;
  const to = check.transition.to;
  em.create(PracticeChangeEntity, {
    comune: practice.comune,
    practiceId: practice.id,
    sequence: practice.changeCount,
    at: now,
    action,
    fromStatus: from,
    toStatus: to,
    actorKind: actor.kind,
    actorId: actor.id,
    note,
    protocolNumber,
  });
  practice.status = to;
  practice.changeCount += 1;
  practice.updatedAt = now;
  recordEvent(em, practiceStatusChangedEvent(practice, from, to, note, actor, now));
}

/** Runs `work` in a transaction, turning a lost optimistic lock into a CONFLICT. */
async function inTransaction<T>(
  em: EntityManager,
  practiceId: string,
  work: (tx: EntityManager) => Promise<T>,
): Promise<T> {
  try {
    return await em.transactional(work);
  } catch (error) {
    if (error instanceof OptimisticLockError) throw concurrentChange(practiceId);
    throw error;
  }
}

/**
 * A citizen's step on a practice they are concerned by: `step` runs in a transaction on the practice
 * (NOT_FOUND for any other), as the citizen's actor. @returns the practice after the step
 */
async function citizenStep(
  em: EntityManager,
  comune: string,
  caller: CitizenCaller,
  id: string,
  step: (tx: EntityManager, practice: Practice, actor: Actor) => Promise<void> | void,
): Promise<Practice> {
  const actor = await citizenActor(em, comune, caller);
  return inTransaction(em, id, async (tx) => {
    const practice = await citizenPractice(tx, caller, id);
    await step(tx, practice, actor);
    return practice;
  });
}

/** What a citizen gives to open a draft. */
export interface DraftInput {
  typeCode: string;
  /** The person the citizen acts for (must be in their `actsFor`). */
  onBehalfOf?: string | null;
  data?: Record<string, unknown> | null;
}

/**
 * Opens a draft practice of a type. Initial data, when given, is checked like a save.
 * @throws NotFoundError for an unknown type, ForbiddenError/BadUserInputError for a bad `onBehalfOf`
 */
export async function createDraft(
  em: EntityManager,
  comune: string,
  caller: CitizenCaller,
  input: DraftInput,
  now: Date,
): Promise<Practice> {
  const type = await findPracticeType(em, input.typeCode);
  if (type === null) throw practiceTypeNotFound(input.typeCode);
  let onBehalfOf: string | null = null;
  if (input.onBehalfOf != null && input.onBehalfOf.toUpperCase() !== caller.fiscalCode.toUpperCase()) {
    onBehalfOf = input.onBehalfOf.toUpperCase();
    if (!isValidFiscalCode(onBehalfOf) || !peopleOf(caller).includes(onBehalfOf)) {
      throw new BadUserInputError('You do not act for this person: ask for a delegation first', {
        field: 'onBehalfOf',
      });
    }
  }
  const data = input.data ?? {};
  const violations = validateForm(type.formSchema, data, false);
  if (violations.length > 0) throw invalidInput(violations, 'input.data');
  const actor = await citizenActor(em, comune, caller);
  const practice = em.create(PracticeEntity, {
    comune,
    typeCode: type.code,
    office: type.office,
    status: 'draft',
    applicantFiscalCode: caller.fiscalCode.toUpperCase(),
    onBehalfOfFiscalCode: onBehalfOf,
    data,
    protocolNumber: null,
    registeredAt: null,
    submittedAt: null,
    outcomeReason: null,
    changeCount: 1,
    createdAt: now,
    updatedAt: now,
  });
  em.create(PracticeChangeEntity, {
    comune,
    practiceId: practice.id,
    sequence: 0,
    at: now,
    action: 'create',
    fromStatus: null,
    toStatus: 'draft',
    actorKind: actor.kind,
    actorId: actor.id,
    note: null,
    protocolNumber: null,
  });
  recordEvent(em, practiceStatusChangedEvent(practice, null, 'draft', null, actor, now));
  await em.flush();
  return practice;
}

function assertEditable(practice: Practice): void {
  if (!EDITABLE_STATUSES.includes(practice.status)) {
    throw new ConflictError(
      `Practice ${practice.id} is ${practice.status}: its form and attachments can be changed only when it is ${EDITABLE_STATUSES.join(', ')}`,
      { reason: 'NOT_EDITABLE', status: practice.status, action: 'edit' },
    );
  }
}

/**
 * Replaces the form data of a draft (or of a practice awaiting integration). The data is checked
 * against the type's schema without `required`; invalid data is refused and the saved data stays.
 * @throws BadUserInputError whose `field` is the JSON pointer of the first bad field
 */
export async function saveData(
  em: EntityManager,
  caller: CitizenCaller,
  id: string,
  data: Record<string, unknown>,
  now: Date,
): Promise<Practice> {
  const practice = await citizenPractice(em, caller, id);
  assertEditable(practice);
  const type = await em.findOneOrFail(PracticeTypeEntity, { code: practice.typeCode });
  const violations = validateForm(type.formSchema, data, false);
  if (violations.length > 0) throw invalidInput(violations, 'data');
  practice.data = data;
  practice.updatedAt = now;
  try {
    await em.flush();
  } catch (error) {
    if (error instanceof OptimisticLockError) throw concurrentChange(id);
    throw error;
  }
  return practice;
}

/** Required attachments of the type that the practice still lacks. */
async function missingAttachments(em: EntityManager, practice: Practice, type: PracticeType) {
  if (!type.requiredAttachments.some((wanted) => wanted.required)) return [];
  const kinds = new Set(
    (await em.find(AttachmentEntity, { practiceId: practice.id }, { fields: ['kind'] })).map((a) => a.kind),
  );
  return type.requiredAttachments.filter((wanted) => wanted.required && !kinds.has(wanted.code));
}

/** The whole form valid and every required attachment there, or BAD_USER_INPUT naming what is not. */
async function checkComplete(tx: EntityManager, practice: Practice, type: PracticeType): Promise<void> {
  const violations = validateForm(type.formSchema, practice.data, true);
  if (violations.length > 0) throw invalidInput(violations, 'data');
  const missing = await missingAttachments(tx, practice, type);
  if (missing.length > 0) {
    throw invalidInput(
      missing.map((m) => ({ field: `attachments/${m.code}`, message: `${m.label} must be attached` })),
    );
  }
}

/**
 * Submits a draft: the whole form is validated and the required attachments checked, then in one
 * transaction the practice is submitted and registered with the next protocol number of the
 * comune and year. A practice whose type charges a pagoPA fee on submission asks for payment
 * instead (PAYMENT_PENDING) and is registered once the receipt arrives; one whose fee is asked for
 * at the citizen's request is refused (CONFLICT `PAYMENT_REQUIRED`) until it is paid. A fee staff
 * exempted the practice from is not asked for.
 */
export async function submit(
  em: EntityManager,
  comune: string,
  caller: CitizenCaller,
  id: string,
  now: Date,
): Promise<Practice> {
  return citizenStep(em, comune, caller, id, async (tx, practice, actor) => {
    const type = await tx.findOneOrFail(PracticeTypeEntity, { code: practice.typeCode });
    const fee = pagoPaFee(type);
    const feeRow = fee === null ? null : await tx.findOne(PracticeFeeEntity, { practiceId: id });
    const unpaid = practice.status === 'draft' || practice.status === 'payment-failed';
    if (fee !== null && feeRow?.status !== 'exempt' && unpaid) {
      if (fee.requestedOn === 'request') {
        throw new ConflictError(
          `Practice ${id} has a fee of ${euro(fee.amountCents)} EUR: ask for its pagoPA notice (requestPracticePayment) and submit once it is paid`,
          { reason: 'PAYMENT_REQUIRED', status: practice.status, action: 'submit' },
        );
      }
      await checkComplete(tx, practice, type);
      await askForPayment(tx, practice, type, fee.amountCents, feeRow, actor, now);
      return;
    }
    const check = checkTransition(practice.status, 'submit', 'citizen');
    if (!check.ok) throw illegalTransition(id, check.refusal);
    await checkComplete(tx, practice, type);
    applyAction(tx, practice, 'submit', 'citizen', actor, null, now);
    practice.submittedAt = now;
    await register(tx, practice, now);
    recordEvent(tx, practiceSubmittedEvent(practice, actor, now));
  });
}

// Fees.

/** The fee a practice of `type` pays through pagoPA, or null (free, or paid with a revenue stamp). */
export function pagoPaFee(type: PracticeType): { amountCents: number; requestedOn: FeeRequestMoment } | null {
  if (type.feeCents == null || type.feeCents <= 0 || !type.feeViaTributi) return null;
  return { amountCents: type.feeCents, requestedOn: type.feeRequestedOn };
}

/** Days a fee's pagoPA notice gives the citizen to pay. */
export const FEE_DUE_DAYS = 30;

/** Actor of the steps a payment's outcome takes (the receipt, a cancelled notice). */
export const PAYMENTS_ACTOR: Actor = { kind: 'system', id: 'pagopa' };

const euro = (cents: number) => (cents / 100).toFixed(2).replace('.', ',');

/** The notice's subject: the type's title, within the notice's 90 characters. */
function noticeSubject(type: PracticeType): string {
  return type.title.length <= 90 ? type.title : `${type.title.slice(0, 89)}…`;
}

/**
 * Moves the practice to PAYMENT_PENDING and asks tributi for the fee's notice
 * (`practice.payment-requested`), inside the caller's transaction. A new request after a cancelled
 * notice gets a reference of its own (`<id>#<n>`), so tributi makes a new position.
 */
async function askForPayment(
  tx: EntityManager,
  practice: Practice,
  type: PracticeType,
  amountCents: number,
  existing: PracticeFee | null,
  actor: Actor,
  now: Date,
): Promise<void> {
  applyAction(tx, practice, 'request-payment', 'citizen', actor, null, now);
  const requestCount = (existing?.requestCount ?? 0) + 1;
  const externalRef = requestCount === 1 ? practice.id : `${practice.id}#${requestCount}`;
  const dueDate = new Date(now.getTime() + FEE_DUE_DAYS * 86_400_000).toISOString().slice(0, 10);
  const request = {
    amountCents,
    status: 'requested' as const,
    externalRef,
    requestCount,
    requestedAt: now,
    positionId: null,
    noticeNumber: null,
    dueDate,
    paidAt: null,
  };
  if (existing === null) {
    tx.create(PracticeFeeEntity, {
      comune: practice.comune,
      practiceId: practice.id,
      ...request,
      exemptionReason: null,
      exemptedBy: null,
      exemptedAt: null,
    });
  } else {
    Object.assign(existing, request);
  }
  recordEvent(
    tx,
    practicePaymentRequestedEvent(
      practice,
      { externalRef, amountCents, dueDate, description: noticeSubject(type) },
      actor,
      now,
    ),
  );
}

/**
 * The citizen asks for the pagoPA notice of the practice's fee before submitting it: the form must
 * be complete, as for a submission. The practice waits in PAYMENT_PENDING; once paid it is
 * PAYMENT_SUCCEEDED and the citizen submits it (a type that charges on submission goes on by itself).
 * @throws ConflictError `NO_FEE` for a practice without a pagoPA fee, `FEE_EXEMPT` for an exempted one
 */
export async function requestPayment(
  em: EntityManager,
  comune: string,
  caller: CitizenCaller,
  id: string,
  now: Date,
): Promise<Practice> {
  return citizenStep(em, comune, caller, id, async (tx, practice, actor) => {
    const type = await tx.findOneOrFail(PracticeTypeEntity, { code: practice.typeCode });
    const fee = pagoPaFee(type);
    if (fee === null) throw noFee(practice);
    const feeRow = await tx.findOne(PracticeFeeEntity, { practiceId: id });
    if (feeRow?.status === 'exempt') throw feeExempt(practice);
    const check = checkTransition(practice.status, 'request-payment', 'citizen');
    if (!check.ok) throw illegalTransition(id, check.refusal);
    await checkComplete(tx, practice, type);
    await askForPayment(tx, practice, type, fee.amountCents, feeRow, actor, now);
  });
}

function noFee(practice: Practice): ConflictError {
  return new ConflictError(`Practice ${practice.id} has no fee to pay through pagoPA`, {
    reason: 'NO_FEE',
    status: practice.status,
  });
}

function feeExempt(practice: Practice): ConflictError {
  return new ConflictError(`Practice ${practice.id} is exempted from its fee`, {
    reason: 'FEE_EXEMPT',
    status: practice.status,
  });
}

/** Submits and registers a practice whose fee is settled, for a type that charges on submission. */
async function submitAfterPayment(tx: EntityManager, practice: Practice, actor: Actor, now: Date) {
  applyAction(tx, practice, 'submit-after-payment', 'system', actor, null, now);
  practice.submittedAt ??= now;
  await register(tx, practice, now);
  recordEvent(tx, practiceSubmittedEvent(practice, actor, now));
}

/**
 * Staff of the practice's office exempt it from its fee, with the reason (kept in the timeline and
 * shown to the citizen). A draft may then be submitted unpaid; a practice waiting for payment
 * counts as paid (and goes on to registration when its type charges on submission); tributi
 * cancels the notice still to pay (`practice.fee-exempted`).
 * @throws BadUserInputError without a reason; ConflictError `NO_FEE`, `FEE_EXEMPT`, `ALREADY_PAID`,
 *   or for a practice past the payment states
 */
export async function exemptFee(
  em: EntityManager,
  practice: Practice,
  actor: Actor,
  reason: string,
  now: Date,
): Promise<Practice> {
  const note = cleanNote(reason, 'reason');
  if (note === null) {
    throw new BadUserInputError('reason is required: say why the practice is exempted from its fee', {
      field: 'reason',
    });
  }
  return inTransaction(em, practice.id, async (tx) => {
    const current = await tx.findOneOrFail(PracticeEntity, { id: practice.id });
    const type = await tx.findOneOrFail(PracticeTypeEntity, { code: current.typeCode });
    const fee = pagoPaFee(type);
    if (fee === null) throw noFee(current);
    const row = await tx.findOne(PracticeFeeEntity, { practiceId: current.id });
    if (row?.status === 'exempt') throw feeExempt(current);
    if (row?.status === 'paid') {
      throw new ConflictError(`The fee of practice ${current.id} is already paid`, {
        reason: 'ALREADY_PAID',
        status: current.status,
      });
    }
    const action = current.status === 'draft' ? 'exempt-fee' : 'waive-payment';
    applyAction(tx, current, action, 'staff', actor, note, now);
    const open = row !== null && (row.status === 'requested' || row.status === 'to-pay');
    const exemption = {
      status: 'exempt' as const,
      exemptionReason: note,
      exemptedBy: actor.id,
      exemptedAt: now,
    };
    if (row === null) {
      tx.create(PracticeFeeEntity, {
        comune: current.comune,
        practiceId: current.id,
        amountCents: fee.amountCents,
        externalRef: null,
        requestCount: 0,
        requestedAt: null,
        positionId: null,
        noticeNumber: null,
        dueDate: null,
        paidAt: null,
        ...exemption,
      });
    } else {
      Object.assign(row, exemption);
    }
    recordEvent(
      tx,
      practiceFeeExemptedEvent(current, open ? (row.externalRef ?? null) : null, note, actor, now),
    );
    if (action === 'waive-payment' && fee.requestedOn === 'submit') {
      await submitAfterPayment(tx, current, PROTOCOL_ACTOR, now);
    }
    return current;
  });
}

/** What tributi said about the position of a fee request (see `payment.*` events). */
export type FeeOutcome =
  | { kind: 'position-created'; positionId: string; noticeNumber: string; dueDate: string }
  | { kind: 'received'; paidAt: Date }
  | { kind: 'position-cancelled' };

/**
 * Applies tributi's news about the position of a fee request to its practice, inside the caller's
 * transaction (the payment consumer's inbox transaction). News about an older request, or about a
 * position no practice asked for, changes nothing. The receipt moves a practice waiting for payment
 * to PAYMENT_SUCCEEDED, and on to registration when its type charges on submission; a cancelled
 * notice moves it to PAYMENT_FAILED, from where the citizen can ask again.
 * @returns whether a practice's fee was concerned
 */
export async function applyFeeOutcome(
  tx: EntityManager,
  externalRef: string,
  outcome: FeeOutcome,
  now: Date,
): Promise<boolean> {
  const practiceId = externalRef.slice(0, 36);
  if (!isPracticeId(practiceId)) return false;
  const row = await tx.findOne(PracticeFeeEntity, { practiceId });
  if (row === null || row.externalRef !== externalRef) return false;
  const practice = await tx.findOne(PracticeEntity, { id: practiceId });
  if (practice === null) return false;
  const waiting = practice.status === 'payment-pending' || practice.status === 'payment-outcome-pending';
  switch (outcome.kind) {
    case 'position-created':
      row.positionId = outcome.positionId;
      row.noticeNumber = outcome.noticeNumber;
      row.dueDate = outcome.dueDate;
      // The receipt may overtake the creation (they travel in different lanes).
      if (row.status === 'requested') row.status = 'to-pay';
      break;
    case 'received': {
      row.paidAt = outcome.paidAt;
      if (row.status !== 'exempt') row.status = 'paid';
      if (waiting) {
        applyAction(tx, practice, 'confirm-payment', 'system', PAYMENTS_ACTOR, null, now);
        const type = await tx.findOneOrFail(PracticeTypeEntity, { code: practice.typeCode });
        if (pagoPaFee(type)?.requestedOn !== 'request') {
          await submitAfterPayment(tx, practice, PROTOCOL_ACTOR, now);
        }
      }
      break;
    }
    case 'position-cancelled':
      if (row.status === 'requested' || row.status === 'to-pay') {
        row.status = 'cancelled';
        if (waiting) applyAction(tx, practice, 'refuse-payment', 'system', PAYMENTS_ACTOR, null, now);
      }
      break;
  }
  practice.updatedAt = now;
  return true;
}

/** Registers a submitted practice in the protocol (inside the caller's transaction). */
async function register(tx: EntityManager, practice: Practice, now: Date): Promise<void> {
  const number = await nextProtocolNumber(tx, practice.comune, now.getUTCFullYear());
  applyAction(tx, practice, 'register', 'system', PROTOCOL_ACTOR, null, now, number);
  practice.protocolNumber = number;
  practice.registeredAt = now;
}

/** Withdraws a practice not yet decided. */
export async function withdraw(
  em: EntityManager,
  comune: string,
  caller: CitizenCaller,
  id: string,
  reason: string | null | undefined,
  now: Date,
): Promise<Practice> {
  const note = cleanNote(reason, 'reason');
  return citizenStep(em, comune, caller, id, (tx, practice, actor) =>
    applyAction(tx, practice, 'withdraw', 'citizen', actor, note, now),
  );
}

/**
 * The citizen's answer to the open integration request: recorded, then the practice is
 * resubmitted and registered again with a new protocol number.
 */
export async function answerIntegration(
  em: EntityManager,
  comune: string,
  caller: CitizenCaller,
  id: string,
  answer: string,
  now: Date,
): Promise<Practice> {
  const note = cleanNote(answer, 'answer');
  return citizenStep(em, comune, caller, id, async (tx, practice, actor) => {
    const check = checkTransition(practice.status, 'answer-integration', 'citizen', note);
    if (!check.ok) throw illegalTransition(id, check.refusal);
    const type = await tx.findOneOrFail(PracticeTypeEntity, { code: practice.typeCode });
    const violations = validateForm(type.formSchema, practice.data, true);
    if (violations.length > 0) throw invalidInput(violations, 'data');
    const open = await tx.findOne(
      IntegrationRequestEntity,
      { practiceId: id, answeredAt: null },
      { orderBy: { requestedAt: 'desc' } },
    );
    if (open !== null) {
      open.answer = note;
      open.answeredAt = now;
    }
    applyAction(tx, practice, 'answer-integration', 'citizen', actor, note, now);
    applyAction(tx, practice, 'resubmit-after-integration', 'system', PROTOCOL_ACTOR, null, now);
    await register(tx, practice, now);
    recordEvent(tx, practiceSubmittedEvent(practice, actor, now));
  });
}

/** Staff actions that need nothing but the practice (and maybe a note). */
export type StaffAction = 'take-in-charge' | 'start-processing' | 'accept' | 'reject';

/**
 * A staff step of the workflow. `accept` and `reject` store the reason as the outcome.
 * @throws ConflictError for a step the table does not allow from the current status
 */
export async function staffAction(
  em: EntityManager,
  practice: Practice,
  action: StaffAction,
  actor: Actor,
  note: string | null | undefined,
  now: Date,
): Promise<Practice> {
  const cleaned = cleanNote(note, NOTE_ARGUMENT[action] ?? 'note');
  return inTransaction(em, practice.id, async (tx) => {
    const current = await tx.findOneOrFail(PracticeEntity, { id: practice.id });
    applyAction(tx, current, action, 'staff', actor, cleaned, now);
    if (action === 'accept' || action === 'reject') current.outcomeReason = cleaned;
    return current;
  });
}

/** Asks the applicant for more documents or information, by `respondBy` if given. */
export async function requestIntegration(
  em: EntityManager,
  practice: Practice,
  actor: Actor,
  message: string,
  respondBy: string | null | undefined,
  now: Date,
): Promise<Practice> {
  const note = cleanNote(message, 'message');
  if (respondBy != null && !isIsoDate(respondBy)) {
    throw new BadUserInputError(`respondBy must be a real day, YYYY-MM-DD (${respondBy} is not one)`, {
      field: 'respondBy',
    });
  }
  if (respondBy != null && respondBy < now.toISOString().slice(0, 10)) {
    throw new BadUserInputError('respondBy must not be in the past', { field: 'respondBy' });
  }
  return inTransaction(em, practice.id, async (tx) => {
    const current = await tx.findOneOrFail(PracticeEntity, { id: practice.id });
    applyAction(tx, current, 'request-integration', 'staff', actor, note, now);
    const request = tx.create(IntegrationRequestEntity, {
      comune: current.comune,
      practiceId: current.id,
      message: note ?? '',
      respondBy: respondBy ?? null,
      requestedBy: actor.id,
      requestedAt: now,
      answer: null,
      answeredAt: null,
    });
    recordEvent(
      tx,
      practiceIntegrationRequestedEvent(current, request.id, respondBy ?? null, actor, now, note),
    );
    return current;
  });
}

/** Posts a message on a practice, from the citizen or from staff of its office. */
export async function postMessage(
  em: EntityManager,
  practice: Practice,
  author: 'citizen' | 'staff',
  actor: Actor,
  body: string,
  now: Date,
) {
  const text = body.trim();
  if (text === '' || text.length > MAX_MESSAGE) {
    throw new BadUserInputError(`Write a message of 1 to ${MAX_MESSAGE} characters`, { field: 'body' });
  }
  const message = em.create(PracticeMessageEntity, {
    comune: practice.comune,
    practiceId: practice.id,
    author,
    authorId: actor.id,
    body: text,
    postedAt: now,
  });
  recordEvent(em, practiceMessagePostedEvent(practice, message.id, author, actor, now, text));
  await em.flush();
  return message;
}

/** Statuses a practice may have, for input checks. */
export function isPracticeStatus(value: string, all: readonly string[]): value is PracticeStatus {
  return all.includes(value);
}

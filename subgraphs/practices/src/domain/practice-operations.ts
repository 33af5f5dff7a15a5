/**
 * Practice use cases on a request's EntityManager. Every change writes the practice, its timeline
 * entry and its outbox events in one transaction.
 */
import { OptimisticLockError } from '@mikro-orm/core';
import { BadUserInputError, ConflictError, recordEvent, type EntityManager } from '@sportello/platform';
import { isValidFiscalCode, type Actor, type PracticeStatus } from '@sportello/schema';
import { AttachmentEntity } from '../entities/attachment.entity.js';
import {
  IntegrationRequestEntity,
  PracticeChangeEntity,
  PracticeEntity,
  PracticeMessageEntity,
  type Practice,
} from '../entities/practice.entity.js';
import { PracticeTypeEntity, type PracticeType } from '../entities/practice-type.entity.js';
import {
  concurrentChange,
  illegalTransition,
  invalidInput,
  NOTE_ARGUMENT,
  practiceNotFound,
  practiceTypeNotFound,
} from '../errors.js';
import {
  practiceIntegrationRequestedEvent,
  practiceMessagePostedEvent,
  practiceStatusChangedEvent,
  practiceSubmittedEvent,
} from '../events/practice-events.js';
import { citizenActor, citizenConcerned, peopleOf, type CitizenCaller } from './access.js';
import { isCalendarDay } from './calendar.js';
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
  if (violations.length > 0) throw invalidInput(violations);
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
  if (violations.length > 0) throw invalidInput(violations);
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
  const kinds = new Set(
    (await em.find(AttachmentEntity, { practiceId: practice.id }, { fields: ['kind'] })).map((a) => a.kind),
  );
  return type.requiredAttachments.filter((wanted) => wanted.required && !kinds.has(wanted.code));
}

/**
 * Submits a draft: the whole form is validated and the required attachments checked, then in one
 * transaction the practice is submitted and registered with the next protocol number of the
 * comune and year.
 */
export async function submit(
  em: EntityManager,
  comune: string,
  caller: CitizenCaller,
  id: string,
  now: Date,
): Promise<Practice> {
  const actor = await citizenActor(em, comune, caller);
  return inTransaction(em, id, async (tx) => {
    const practice = await citizenPractice(tx, caller, id);
    const check = checkTransition(practice.status, 'submit', 'citizen');
    if (!check.ok) throw illegalTransition(id, check.refusal);
    const type = await tx.findOneOrFail(PracticeTypeEntity, { code: practice.typeCode });
    const violations = validateForm(type.formSchema, practice.data, true);
    if (violations.length > 0) throw invalidInput(violations);
    const missing = await missingAttachments(tx, practice, type);
    if (missing.length > 0) {
      throw invalidInput(
        missing.map((m) => ({ field: `attachments/${m.code}`, message: `${m.label} must be attached` })),
      );
    }
    applyAction(tx, practice, 'submit', 'citizen', actor, null, now);
    practice.submittedAt = now;
    await register(tx, practice, now);
    recordEvent(tx, practiceSubmittedEvent(practice, actor, now));
    return practice;
  });
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
  const actor = await citizenActor(em, comune, caller);
  return inTransaction(em, id, async (tx) => {
    const practice = await citizenPractice(tx, caller, id);
    applyAction(tx, practice, 'withdraw', 'citizen', actor, note, now);
    return practice;
  });
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
  const actor = await citizenActor(em, comune, caller);
  return inTransaction(em, id, async (tx) => {
    const practice = await citizenPractice(tx, caller, id);
    const check = checkTransition(practice.status, 'answer-integration', 'citizen', note);
    if (!check.ok) throw illegalTransition(id, check.refusal);
    const type = await tx.findOneOrFail(PracticeTypeEntity, { code: practice.typeCode });
    const violations = validateForm(type.formSchema, practice.data, true);
    if (violations.length > 0) throw invalidInput(violations);
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
    return practice;
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
  if (respondBy != null && !isCalendarDay(respondBy)) {
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

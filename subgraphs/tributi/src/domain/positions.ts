import { v7 as uuidv7 } from 'uuid';
import { isValidFiscalCode, PAYMENT_KINDS, type Actor, type PaymentKind } from '@sportello/schema';
import { recordEvent, type EntityManager, isIsoDate, civilDate } from '@sportello/platform';
import { InstalmentEntity, type Instalment } from '../entities/instalment.entity.js';
import { PaymentPositionEntity, type PaymentPosition } from '../entities/payment-position.entity.js';
import type { RuleViolation } from '../errors.js';
import { positionCreatedEvent } from '../events/tributi-events.js';
import { amountProblem, splitAmount } from './amounts.js';
import { defaultReducedAmount, fineAmountDue, type FineRules } from './fines.js';
import { allocateNoticeNumbers } from './notice-numbers.js';

/** Most instalments one position can have (the event catalogue allows 1-99). */
export const MAX_INSTALMENTS = 12;

/** Details of a fine (contravvenzione). */
export interface NewFine {
  plate: string;
  place: string;
  /** The article violated, e.g. `art. 7 c. 1 CdS`. */
  article: string;
  violatedAt: Date;
  /** `YYYY-MM-DD`. */
  notifiedOn: string;
  /** @default the full amount less the configured reduction */
  reducedAmountCents?: number | null;
}

/** What the office says about a new position. */
export interface NewPosition {
  kind: PaymentKind;
  year: number;
  /** Subject of the notice, at most 90 characters. */
  description: string;
  payerFiscalCode: string;
  /** The whole amount; split evenly over the instalments (the first takes the odd cents). */
  amountCents: number;
  /** One `YYYY-MM-DD` per instalment, in order; a single date means one payment. */
  dueDates: readonly string[];
  externalRef?: string | null;
  fine?: NewFine | null;
}

/** A position together with its instalments, in order. */
export interface PositionWithInstalments {
  position: PaymentPosition;
  instalments: Instalment[];
}

/** Why a new position cannot be created (empty when it can). */
export function positionViolations(input: NewPosition, rules: FineRules): RuleViolation[] {
  const violations: RuleViolation[] = [];
  const add = (field: string, message: string) => violations.push({ field, message });
  if (!PAYMENT_KINDS.includes(input.kind)) add('kind', `must be one of ${PAYMENT_KINDS.join(', ')}`);
  if (!Number.isInteger(input.year) || input.year < 2000 || input.year > 2100) {
    add('year', `must be a year from 2000 to 2100, got ${input.year}`);
  }
  const description = input.description.trim();
  if (description.length === 0) add('description', 'must not be empty');
  if (description.length > 90) {
    add('description', `must fit the notice's 90 characters, got ${description.length}`);
  }
  if (!isValidFiscalCode(input.payerFiscalCode)) add('payerFiscalCode', 'is not a valid fiscal code');
  const amount = amountProblem(input.amountCents);
  if (amount !== undefined) add('amountCents', amount);
  if (input.dueDates.length === 0) add('dueDates', 'give at least one due date');
  if (input.dueDates.length > MAX_INSTALMENTS) add('dueDates', `at most ${MAX_INSTALMENTS} instalments`);
  input.dueDates.forEach((day, index) => {
    if (!isIsoDate(day)) add(`dueDates.${index}`, `must be a YYYY-MM-DD day, got "${day}"`);
    else if (index > 0 && day <= (input.dueDates[index - 1] ?? '')) {
      add(`dueDates.${index}`, 'must come after the previous due date');
    }
  });
  if (amount === undefined && input.dueDates.length > 1 && input.amountCents < input.dueDates.length) {
    add('amountCents', `is too small to split into ${input.dueDates.length} instalments`);
  }
  if (input.externalRef != null && (input.externalRef.length === 0 || input.externalRef.length > 100)) {
    add('externalRef', 'must be 1 to 100 characters');
  }
  const fine = input.fine ?? null;
  if (input.kind === 'fine' && fine === null) add('fine', 'a fine needs its plate, place, article and dates');
  if (input.kind !== 'fine' && fine !== null) add('fine', `only positions of kind "fine" carry fine details`);
  if (fine !== null) {
    if (input.dueDates.length !== 1) add('dueDates', 'a fine is paid in one payment: give one due date');
    if (!/^[A-Z0-9]{5,10}$/i.test(fine.plate.replace(/\s/g, ''))) {
      add('fine.plate', 'must be 5 to 10 letters and digits');
    }
    if (fine.place.trim() === '' || fine.place.length > 200) add('fine.place', 'must be 1 to 200 characters');
    if (fine.article.trim() === '' || fine.article.length > 100) {
      add('fine.article', 'must be 1 to 100 characters');
    }
    if (Number.isNaN(fine.violatedAt.getTime())) add('fine.violatedAt', 'is not a valid instant');
    if (!isIsoDate(fine.notifiedOn))
      add('fine.notifiedOn', `must be a YYYY-MM-DD day, got "${fine.notifiedOn}"`);
    else if (!Number.isNaN(fine.violatedAt.getTime()) && fine.notifiedOn < civilDate(fine.violatedAt)) {
      add('fine.notifiedOn', 'cannot come before the violation');
    }
    const reduced = fine.reducedAmountCents ?? defaultReducedAmount(input.amountCents, rules);
    if (amountProblem(reduced) !== undefined || reduced > input.amountCents) {
      add('fine.reducedAmountCents', 'must be from 1 cent up to the full amount');
    }
  }
  return violations;
}

/** What creating positions needs besides the positions. */
export interface CreateOptions {
  comune: string;
  actor: Actor | null;
  /** Who, for the record: `staff:<username>`, `bulk-job:<id>`, `seed`. */
  createdBy: string;
  now: Date;
  fineRules: FineRules;
  bulkJobId?: string | null;
  /** Record `payment.position-created` events. @default true (false only for demo history) */
  emitEvents?: boolean;
}

/** What a fine costs on a given day, or the instalment's amount for anything else. */
export function amountDueOn(
  position: PaymentPosition,
  instalment: Instalment,
  at: Date,
  rules: FineRules,
): number {
  if (
    position.kind !== 'fine' ||
    position.fineNotifiedOn == null ||
    position.fineReducedAmountCents == null
  ) {
    return instalment.amountCents;
  }
  return fineAmountDue(
    {
      amountCents: instalment.amountCents,
      reducedAmountCents: position.fineReducedAmountCents,
      notifiedOn: position.fineNotifiedOn,
    },
    at,
    rules,
  );
}

/**
 * Creates positions with their instalments, one fresh notice number each, and a
 * `payment.position-created` event per notice, all in the EntityManager's unit of work. Call it
 * inside a transaction (`em.transactional`) and give it validated input
 * ({@link positionViolations}); it flushes.
 */
export async function createPositions(
  em: EntityManager,
  inputs: readonly NewPosition[],
  options: CreateOptions,
): Promise<PositionWithInstalments[]> {
  if (inputs.length === 0) return [];
  const noticeCount = inputs.reduce((sum, input) => sum + input.dueDates.length, 0);
  const { creditor, noticeNumbers } = await allocateNoticeNumbers(em, options.comune, noticeCount);
  const today = civilDate(options.now);
  let next = 0;
  const created: PositionWithInstalments[] = [];
  for (const input of inputs) {
    const fine = input.fine ?? null;
    const position = em.create(PaymentPositionEntity, {
      id: uuidv7(),
      comune: options.comune,
      kind: input.kind,
      year: input.year,
      description: input.description.trim(),
      payerFiscalCode: input.payerFiscalCode.trim().toUpperCase(),
      creditorFiscalCode: creditor.fiscalCode,
      amountCents: input.amountCents,
      status: input.dueDates.some((day) => day < today) ? 'expired' : 'to-pay',
      externalRef: input.externalRef ?? null,
      bulkJobId: options.bulkJobId ?? null,
      finePlate: fine === null ? null : fine.plate.replace(/\s/g, '').toUpperCase(),
      finePlace: fine?.place.trim() ?? null,
      fineArticle: fine?.article.trim() ?? null,
      fineViolatedAt: fine?.violatedAt ?? null,
      fineNotifiedOn: fine?.notifiedOn ?? null,
      fineReducedAmountCents:
        fine === null
          ? null
          : (fine.reducedAmountCents ?? defaultReducedAmount(input.amountCents, options.fineRules)),
      createdBy: options.createdBy,
      createdAt: options.now,
      paidAt: null,
      cancelledAt: null,
      cancelledBy: null,
      cancellationReason: null,
    });
    const shares = splitAmount(input.amountCents, input.dueDates.length);
    const instalments = input.dueDates.map((dueDate, index) => {
      const noticeNumber = noticeNumbers[next++];
      if (noticeNumber === undefined) throw new Error('fewer notice numbers allocated than instalments');
      return em.create(InstalmentEntity, {
        id: uuidv7(),
        comune: options.comune,
        positionId: position.id,
        number: input.dueDates.length === 1 ? null : index + 1,
        amountCents: shares[index] ?? 0,
        dueDate,
        noticeNumber,
        status: 'unpaid',
        paidAt: null,
        paidAmountCents: null,
        receiptId: null,
        receiptFrom: null,
      });
    });
    for (const instalment of options.emitEvents === false ? [] : instalments) {
      const amount = amountDueOn(position, instalment, options.now, options.fineRules);
      recordEvent(em, positionCreatedEvent(position, instalment, amount, options.actor, options.now));
    }
    created.push({ position, instalments });
  }
  await em.flush();
  return created;
}

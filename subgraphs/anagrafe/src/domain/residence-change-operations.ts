import {
  BadUserInputError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  recordEvent,
  findConnection,
  type Connection,
  type EntityManager,
  addDays,
  isIsoDate,
  type IsoDate,
} from '@sportello/platform';
import type { Actor, ResidenceChangeStatus } from '@sportello/schema';
import {
  ResidenceChangeEntity,
  type AddressRecord,
  type Mover,
  type ResidenceChange,
} from '../entities/residence-change.entity.js';
import { ResidentEntity, type Resident } from '../entities/resident.entity.js';
import { StreetEntity } from '../entities/street.entity.js';
import { addressChangedEvent, residenceChangeStatusEvent } from '../events/anagrafe-events.js';
import {
  refusal,
  replyRefusal,
  RESIDENCE_CHANGE_TRANSITIONS,
  type ResidenceChangeAction,
} from './residence-change.js';
import { documentsForReply } from './residence-change-documents.js';
import { searchTextOf } from './residents.js';
import { residenceChangeNotFound } from '../errors.js';

/** Days after moving within which the citizen must declare. */
export const DECLARATION_DAYS = 20;

/** A new address as the citizen declares it. */
export interface DeclaredAddress {
  street: string;
  number: string;
  postcode?: string | null;
}

/** A declaration: the new address, the date of the move and who moves with the applicant. */
export interface ResidenceDeclaration {
  address: DeclaredAddress;
  /** The day of the move; the change takes effect from the declaration. @default today */
  movedOn?: IsoDate | null;
  /** Members of the applicant's family moving too. */
  withMembers?: string[] | null;
}

function addressOf(resident: Resident): AddressRecord {
  return {
    street: resident.street,
    number: resident.streetNumber,
    postcode: resident.postcode,
    zone: resident.zone ?? null,
  };
}

/** A house number (numero civico) as the street register writes it: 12, 12A, 12/B, 12 BIS. */
export const HOUSE_NUMBER = /^[0-9]{1,5}(\/?[A-Z]{1,3})?$|^[0-9]{1,5} ?BIS$/;

/** Resolves a declared address against the street register. @throws BadUserInputError */
async function resolveAddress(em: EntityManager, declared: DeclaredAddress): Promise<AddressRecord> {
  const street = await em.findOne(StreetEntity, { name: declared.street.trim() });
  if (street === null) {
    throw new BadUserInputError(
      `address.street: "${declared.street}" is not in the comune's street register (a move within the comune is declared here; from another comune, declare it to the new comune)`,
      { field: 'address.street' },
    );
  }
  const number = declared.number.trim().toUpperCase();
  if (!HOUSE_NUMBER.test(number)) {
    throw new BadUserInputError('address.number: a house number such as 12, 12A or 12/B', {
      field: 'address.number',
    });
  }
  if (declared.postcode && declared.postcode.trim() !== street.postcode) {
    throw new BadUserInputError(`address.postcode: ${street.name} has postcode ${street.postcode}`, {
      field: 'address.postcode',
    });
  }
  return { street: street.name, number, postcode: street.postcode, zone: street.zone ?? null };
}

/**
 * Records a change-of-residence declaration within the comune by a resident, for themselves and
 * the family members moving with them. Nothing changes in the registry until the office registers it.
 *
 * @throws NotFoundError (applicant not resident), BadUserInputError (address, date, members),
 * ConflictError (a declaration is already open).
 */
export async function declareResidenceChange(
  em: EntityManager,
  applicantFiscalCode: string,
  declaration: ResidenceDeclaration,
  actor: Actor,
  today: IsoDate,
  now: Date,
): Promise<ResidenceChange> {
  const applicant = await em.findOne(ResidentEntity, { fiscalCode: applicantFiscalCode });
  if (applicant === null) {
    throw new NotFoundError(
      'You are not resident in this comune: declare the move to the comune you move to.',
    );
  }
  const movedOn = declaration.movedOn ?? today;
  if (!isIsoDate(movedOn) || movedOn > today || movedOn < addDays(today, -DECLARATION_DAYS)) {
    throw new BadUserInputError(
      `movedOn: the day of the move, within the last ${DECLARATION_DAYS} days (declare within ${DECLARATION_DAYS} days of moving)`,
      { field: 'movedOn' },
    );
  }
  const address = await resolveAddress(em, declaration.address);
  if (address.street === applicant.street && address.number === applicant.streetNumber) {
    throw new BadUserInputError('address: this is already your residence address', { field: 'address' });
  }
  const codes = [...new Set((declaration.withMembers ?? []).map((code) => code.toUpperCase()))].filter(
    (code) => code !== applicant.fiscalCode,
  );
  const members = codes.length === 0 ? [] : await em.find(ResidentEntity, { fiscalCode: { $in: codes } });
  const strangers = codes.filter(
    (code) => !members.some((m) => m.fiscalCode === code && m.familyCode === applicant.familyCode),
  );
  if (strangers.length > 0) {
    throw new BadUserInputError(
      `withMembers: ${strangers.length} of the people listed are not members of your family`,
      {
        field: 'withMembers',
      },
    );
  }
  const movers = [applicant, ...members];
  const open = await em.find(ResidenceChangeEntity, {
    status: { $in: ['declared', 'registered', 'obstacles-notified'] },
    $or: movers.map((mover) => ({ moverCodes: { $like: `%|${mover.fiscalCode}|%` } })),
  });
  if (open.length > 0) {
    throw new ConflictError(
      'A change of residence is already being processed for one of the people moving.',
      {
        reason: 'DECLARATION_OPEN',
      },
    );
  }
  const change = em.create(ResidenceChangeEntity, {
    comune: applicant.comune,
    applicantFiscalCode: applicant.fiscalCode,
    movers: movers.map((mover) => ({
      fiscalCode: mover.fiscalCode,
      birthDate: mover.birthDate,
      previous: addressOf(mover),
    })),
    moverCodes: `|${movers.map((mover) => mover.fiscalCode).join('|')}|`,
    street: address.street,
    streetNumber: address.number,
    postcode: address.postcode,
    zone: address.zone,
    status: 'declared',
    declaredOn: today,
    registeredOn: null,
    obstaclesNotifiedOn: null,
    decidedOn: null,
    history: [{ from: null, to: 'declared', at: now.toISOString(), by: `${actor.kind}:${actor.id}` }],
  });
  recordEvent(em, residenceChangeStatusEvent(change, null, actor, now, undefined, today));
  await em.flush();
  return change;
}

/**
 * Registering moves every mover to the new address, resident there from the declaration (its
 * effects start then); going back restores each mover's own previous address and, when the
 * registration changed it, the rest of their position (resident since, family). Emits the zone change.
 */
async function moveResidents(
  em: EntityManager,
  change: ResidenceChange,
  direction: 'forward' | 'back',
  actor: Actor,
  now: Date,
): Promise<void> {
  const residents = await em.find(ResidentEntity, {
    fiscalCode: { $in: change.movers.map((m) => m.fiscalCode) },
  });
  const movers: Mover[] = [];
  for (const mover of change.movers) {
    const resident = residents.find((r) => r.fiscalCode === mover.fiscalCode);
    if (resident === undefined) {
      movers.push(mover);
      continue;
    }
    const target: AddressRecord =
      direction === 'forward'
        ? {
            street: change.street,
            number: change.streetNumber,
            postcode: change.postcode,
            zone: change.zone ?? null,
          }
        : mover.previous;
    const fromZone = resident.zone ?? null;
    if (direction === 'forward') {
      movers.push({
        ...mover,
        previousPosition: {
          residentSince: resident.residentSince,
          familyCode: resident.familyCode,
          relationship: resident.relationship,
        },
      });
      resident.residentSince = change.declaredOn;
    } else {
      movers.push(mover);
      if (mover.previousPosition !== undefined) {
        resident.residentSince = mover.previousPosition.residentSince;
        resident.familyCode = mover.previousPosition.familyCode;
        resident.relationship = mover.previousPosition.relationship;
      }
    }
    resident.street = target.street;
    resident.streetNumber = target.number;
    resident.postcode = target.postcode;
    resident.zone = target.zone;
    resident.searchText = searchTextOf(resident);
    recordEvent(
      em,
      addressChangedEvent(resident, { from: fromZone, to: target.zone }, change.declaredOn, actor, now),
    );
  }
  change.movers = movers;
}

async function findChange(em: EntityManager, id: string): Promise<ResidenceChange> {
  const change = /^[0-9a-f-]{36}$/i.test(id) ? await em.findOne(ResidenceChangeEntity, { id }) : null;
  if (change === null) throw residenceChangeNotFound(id);
  return change;
}

/**
 * Moves a declaration along one transition (see {@link RESIDENCE_CHANGE_TRANSITIONS}), with its
 * effects in the same transaction: registering moves the people to the new address (effective from
 * the declaration, the previous address kept on the declaration); rejecting moves them back.
 *
 * @throws NotFoundError, ConflictError (transition not allowed now), BadUserInputError (note).
 */
export async function changeResidenceStatus(
  em: EntityManager,
  id: string,
  action: ResidenceChangeAction,
  actor: Actor,
  today: IsoDate,
  now: Date,
  note?: string | null,
  expected?: { applicantFiscalCode: string },
): Promise<ResidenceChange> {
  const change = await findChange(em, id);
  if (expected !== undefined && change.applicantFiscalCode !== expected.applicantFiscalCode) {
    throw new ForbiddenError('Only the applicant can withdraw this declaration.', {
      reason: 'NOT_APPLICANT',
    });
  }
  const trimmed = note?.trim() || undefined;
  if (trimmed !== undefined && trimmed.length > 1000) {
    throw new BadUserInputError('note: 1000 characters at most', { field: 'note' });
  }
  if ((action === 'notifyObstacles' || action === 'reject') && trimmed === undefined) {
    throw new BadUserInputError('note: say what the obstacles are (the citizen reads it)', { field: 'note' });
  }
  const why = refusal(
    action,
    {
      status: change.status,
      declaredOn: change.declaredOn,
      obstaclesNotifiedOn: change.obstaclesNotifiedOn ?? null,
    },
    today,
  );
  if (why !== null)
    throw new ConflictError(`Declaration ${id}: ${why}`, { reason: 'TRANSITION_NOT_ALLOWED' });

  const from: ResidenceChangeStatus = change.status;
  const to = RESIDENCE_CHANGE_TRANSITIONS[action].to;
  change.status = to;
  if (action === 'register') {
    change.registeredOn = today;
    await moveResidents(em, change, 'forward', actor, now);
  }
  if (action === 'notifyObstacles') change.obstaclesNotifiedOn = today;
  // Rejection, or withdrawal of a change already registered (its effects ran from the declaration),
  // restores the previous position; a declaration withdrawn before registration changed nothing.
  if (action === 'reject' || (action === 'withdraw' && from !== 'declared')) {
    await moveResidents(em, change, 'back', actor, now);
  }
  if (to === 'accepted' || to === 'rejected' || to === 'withdrawn') change.decidedOn = today;
  change.history = [
    ...change.history,
    {
      from,
      to,
      at: now.toISOString(),
      by: `${actor.kind}:${actor.id}`,
      ...(trimmed === undefined ? {} : { note: trimmed }),
    },
  ];
  recordEvent(em, residenceChangeStatusEvent(change, from, actor, now, trimmed, today));
  await em.flush();
  return change;
}

/** Longest reply to a notice of obstacles. */
export const REPLY_MAX_LENGTH = 4000;

/**
 * The applicant answers the notice of obstacles (L. 241/1990, art. 10-bis) with their comments and
 * any documents uploaded for it, within 10 days of it; the reply is kept in the declaration's
 * history for the office, and the declaration stays where it is until the office decides.
 *
 * @throws NotFoundError, ForbiddenError (not the applicant), BadUserInputError (text, documentIds),
 * ConflictError (no notice to answer, or the 10 days are over).
 */
export async function replyToResidenceChangeObstacles(
  em: EntityManager,
  id: string,
  applicantFiscalCode: string,
  text: string,
  actor: Actor,
  today: IsoDate,
  now: Date,
  documentIds: readonly string[] = [],
): Promise<ResidenceChange> {
  const change = await findChange(em, id);
  if (change.applicantFiscalCode !== applicantFiscalCode) {
    throw new ForbiddenError('Only the applicant can answer the notice of obstacles.', {
      reason: 'NOT_APPLICANT',
    });
  }
  const trimmed = text.trim();
  if (trimmed.length === 0) {
    throw new BadUserInputError('text: say what you answer to the obstacles (it cannot be empty)', {
      field: 'text',
    });
  }
  if (trimmed.length > REPLY_MAX_LENGTH) {
    throw new BadUserInputError(
      `text: ${REPLY_MAX_LENGTH} characters at most (this one has ${trimmed.length})`,
      { field: 'text' },
    );
  }
  const why = replyRefusal(
    {
      status: change.status,
      declaredOn: change.declaredOn,
      obstaclesNotifiedOn: change.obstaclesNotifiedOn ?? null,
    },
    today,
  );
  if (why !== null) {
    throw new ConflictError(`Declaration ${id}: ${why}`, {
      reason: change.status === 'obstacles-notified' ? 'REPLY_PERIOD_OVER' : 'NO_OBSTACLES_TO_ANSWER',
      field: 'id',
    });
  }
  const documents = await documentsForReply(em, change, documentIds);
  const at = now.toISOString();
  for (const document of documents) document.replyAt = at;
  change.history = [
    ...change.history,
    {
      from: change.status,
      to: change.status,
      at,
      by: `${actor.kind}:${actor.id}`,
      note: trimmed,
      reply: true,
      ...(documents.length === 0
        ? {}
        : {
            documents: documents.map(({ id: documentId, filename, mimeType, size, sha256 }) => ({
              id: documentId,
              filename,
              mimeType,
              size,
              sha256,
            })),
          }),
    },
  ];
  await em.flush();
  return change;
}

/**
 * One page of a resident's declarations (as applicant or mover), newest first.
 * @throws BadUserInputError naming `first` or `after`
 */
export async function residenceChangesOf(
  em: EntityManager,
  fiscalCode: string,
  page: { first?: number | null; after?: string | null },
): Promise<Connection<ResidenceChange>> {
  return findConnection(
    em,
    ResidenceChangeEntity,
    { moverCodes: { $like: `%|${fiscalCode}|%` } },
    {
      // The id breaks ties between declarations of the same instant.
      order: [
        ['createdAt', 'desc'],
        ['id', 'desc'],
      ],
      first: page.first,
      after: page.after,
    },
  );
}

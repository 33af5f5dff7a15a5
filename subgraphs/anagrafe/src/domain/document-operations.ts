import {
  BadUserInputError,
  NotFoundError,
  type EntityManager,
  isIsoDate,
  type IsoDate,
} from '@sportello/platform';
import type { DocumentKind } from '@sportello/schema';
import { IdentityDocumentEntity, type IdentityDocument } from '../entities/identity-document.entity.js';
import { ResidentEntity } from '../entities/resident.entity.js';
import { cieExpiry, effectiveExpiry } from './identity-document.js';

/** A holder's documents, newest first. */
export function documentsOf(em: EntityManager, holderFiscalCode: string): Promise<IdentityDocument[]> {
  return em.find(
    IdentityDocumentEntity,
    { holderFiscalCode },
    { orderBy: { issuedOn: 'desc', number: 'asc' } },
  );
}

/** What the office records when it issues (or registers) a document. */
export interface NewIdentityDocument {
  holderFiscalCode: string;
  kind: DocumentKind;
  number: string;
  issuedOn: IsoDate;
  /** Required for paper cards (the printed date); computed for a CIE. */
  printedExpiresOn?: IsoDate | null;
}

/**
 * Records a document of a resident. A CIE's expiry follows from the holder's age at issue; a paper
 * card keeps its printed date but stops at the cut-off. Earlier documents of the holder stop
 * receiving reminders.
 *
 * @throws NotFoundError when the holder is not resident; BadUserInputError naming a bad field (an
 *   issue date after `today` among them: a card not yet issued must not count as valid).
 */
export async function recordIdentityDocument(
  em: EntityManager,
  comune: string,
  input: NewIdentityDocument,
  today: IsoDate,
  now: Date,
): Promise<IdentityDocument> {
  const holder = await em.findOne(ResidentEntity, { fiscalCode: input.holderFiscalCode });
  if (holder === null) throw new NotFoundError(`No resident with fiscal code ${input.holderFiscalCode}`);
  const number = input.number.trim().toUpperCase();
  if (!/^[A-Z0-9]{5,20}$/.test(number)) {
    throw new BadUserInputError('number: 5 to 20 letters and digits, e.g. CA12345AB', { field: 'number' });
  }
  if (!isIsoDate(input.issuedOn) || input.issuedOn < holder.birthDate) {
    throw new BadUserInputError('issuedOn: a real date (YYYY-MM-DD) not before the holder’s birth', {
      field: 'issuedOn',
    });
  }
  if (input.issuedOn > today) {
    throw new BadUserInputError(
      `issuedOn: a document is recorded once issued, not before (${input.issuedOn} is after today, ${today})`,
      { field: 'issuedOn' },
    );
  }
  let printed: IsoDate;
  if (input.kind === 'CIE') {
    printed = cieExpiry(holder.birthDate, input.issuedOn);
  } else {
    const given = input.printedExpiresOn ?? null;
    if (given === null || !isIsoDate(given) || given <= input.issuedOn) {
      throw new BadUserInputError(
        'printedExpiresOn: the date printed on the paper card, after its issue date',
        {
          field: 'printedExpiresOn',
        },
      );
    }
    printed = given;
  }
  const existing = await em.findOne(IdentityDocumentEntity, { kind: input.kind, number });
  if (existing !== null) {
    throw new BadUserInputError(`number: a ${input.kind} numbered ${number} is already recorded`, {
      field: 'number',
    });
  }
  const earlier = await em.find(IdentityDocumentEntity, {
    holderFiscalCode: holder.fiscalCode,
    replacedAt: null,
  });
  for (const document of earlier) document.replacedAt = now;
  const document = em.create(IdentityDocumentEntity, {
    comune,
    holderFiscalCode: holder.fiscalCode,
    kind: input.kind,
    number,
    issuedOn: input.issuedOn,
    printedExpiresOn: printed,
    expiresOn: effectiveExpiry(input.kind, printed),
    replacedAt: null,
  });
  await em.flush();
  return document;
}

import { documentValidity } from '../domain/identity-document.js';
import type { IdentityDocument } from '../entities/identity-document.entity.js';
import { IdentityDocumentType } from './document.type.js';
import type { IsoDate } from '@sportello/platform';

/** The public view of a document on `today`. */
export function toIdentityDocumentType(document: IdentityDocument, today: IsoDate): IdentityDocumentType {
  const validity = documentValidity(document.expiresOn, today);
  return Object.assign(new IdentityDocumentType(), {
    id: document.id,
    kind: document.kind,
    number: document.number,
    issuedOn: document.issuedOn,
    printedExpiresOn: document.printedExpiresOn,
    expiresOn: document.expiresOn,
    // A card whose issue date is still to come (recorded before issue dates were checked, or seeded
    // for a later day) is not valid yet.
    valid: validity.valid && document.issuedOn <= today,
    daysLeft: validity.daysLeft,
    renewableFrom: validity.renewableFrom,
    renewalOpen: validity.renewalOpen,
    replaced: document.replacedAt !== null && document.replacedAt !== undefined,
  });
}

import {
  checkDeadline,
  registrationDueBy,
  registrationOverdue,
  replyDueOn,
} from '../domain/residence-change.js';
import { RESIDENCE_CHANGE_DOCUMENT_CONTENT_PATH } from '../domain/residence-change-documents.js';
import type { ResidenceChange } from '../entities/residence-change.entity.js';
import { toAddressType } from './resident.mapper.js';
import { ResidenceChangeType } from './residence-change.type.js';
import type { IsoDate } from '@sportello/platform';

/**
 * A declaration as GraphQL answers it; `today` decides whether its registration is overdue, and
 * reply documents are downloaded under `publicUrl`.
 */
export function toResidenceChangeType(
  change: ResidenceChange,
  today: IsoDate,
  publicUrl: string,
): ResidenceChangeType {
  const obstaclesNotifiedOn = change.obstaclesNotifiedOn ?? null;
  return Object.assign(new ResidenceChangeType(), {
    id: change.id,
    applicantFiscalCode: change.applicantFiscalCode,
    movers: change.movers.map((mover) => ({
      fiscalCode: mover.fiscalCode,
      previousAddress: toAddressType(mover.previous),
    })),
    address: toAddressType({
      street: change.street,
      number: change.streetNumber,
      postcode: change.postcode,
      zone: change.zone ?? null,
    }),
    status: change.status,
    declaredOn: change.declaredOn,
    registeredOn: change.registeredOn ?? null,
    registrationDueBy: registrationDueBy(change),
    overdue: registrationOverdue(change, today),
    obstaclesNotifiedOn,
    replyDueOn: replyDueOn({ obstaclesNotifiedOn }),
    checkDeadline: checkDeadline(change),
    decidedOn: change.decidedOn ?? null,
    history: change.history
      .filter((step) => step.reply !== true)
      .map((step) => ({
        from: step.from,
        to: step.to,
        at: new Date(step.at),
        note: step.note ?? null,
      })),
    replies: change.history
      .filter((step) => step.reply === true)
      .map((step) => ({
        at: new Date(step.at),
        text: step.note ?? '',
        documents: (step.documents ?? []).map((document) => ({
          ...document,
          url: `${publicUrl.replace(/\/$/, '')}${RESIDENCE_CHANGE_DOCUMENT_CONTENT_PATH}?id=${document.id}`,
        })),
      })),
  });
}

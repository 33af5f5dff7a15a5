import { checkDeadline, replyDueOn } from '../domain/residence-change.js';
import type { ResidenceChange } from '../entities/residence-change.entity.js';
import { toAddressType } from './resident.mapper.js';
import { ResidenceChangeType } from './residence-change.type.js';

export function toResidenceChangeType(change: ResidenceChange): ResidenceChangeType {
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
    obstaclesNotifiedOn,
    replyDueOn: replyDueOn({ obstaclesNotifiedOn }),
    checkDeadline: checkDeadline(change),
    decidedOn: change.decidedOn ?? null,
    history: change.history.map((step) => ({
      from: step.from,
      to: step.to,
      at: new Date(step.at),
      note: step.note ?? null,
    })),
  });
}

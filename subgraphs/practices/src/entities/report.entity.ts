import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { tenantProperties, uuidPrimaryKey } from '@sportello/platform';
import { v7 as uuidv7 } from 'uuid';
import { REPORT_STATUSES } from '@sportello/schema';

/** A citizen report (segnalazione): something wrong at a place in town. */
export const ReportEntity = defineEntity({
  name: 'Report',
  tableName: 'report',
  properties: {
    /** Time-ordered, so the office queue pages by id in order of filing. */
    id: p
      .uuid()
      .primary()
      .onCreate(() => uuidv7()),
    ...tenantProperties(),
    category: p.string().length(100),
    description: p.text(),
    latitude: p.double(),
    longitude: p.double(),
    address: p.string().length(300).nullable(),
    /** Null for anonymous reports: they get no updates. */
    reporterFiscalCode: p.string().length(16).nullable().index(),
    status: p.enum(REPORT_STATUSES),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
  },
  indexes: [{ properties: ['comune', 'status', 'id'] }],
});
export type Report = InferEntity<typeof ReportEntity>;

/** A change of state of a report, with the note the reporter reads. */
export const ReportChangeEntity = defineEntity({
  name: 'ReportChange',
  tableName: 'report_change',
  properties: {
    id: uuidPrimaryKey(),
    ...tenantProperties(),
    reportId: p.uuid().index(),
    at: p.datetime(),
    fromStatus: p.enum(REPORT_STATUSES).nullable(),
    toStatus: p.enum(REPORT_STATUSES),
    actorKind: p.string().length(20),
    actorId: p.string().length(200),
    note: p.text().nullable(),
  },
});
export type ReportChange = InferEntity<typeof ReportChangeEntity>;

import { JobLease } from '@sportello/platform';
import { AppointmentEntity, OfficeCalendarEntity } from './appointment.entity.js';
import { AttachmentContentEntity, AttachmentEntity } from './attachment.entity.js';
import {
  CitizenAliasEntity,
  IntegrationRequestEntity,
  PracticeChangeEntity,
  PracticeEntity,
  PracticeFeeEntity,
  PracticeMessageEntity,
  ProtocolCounterEntity,
} from './practice.entity.js';
import { PracticeTypeEntity } from './practice-type.entity.js';
import { ReportChangeEntity, ReportEntity } from './report.entity.js';
import { ComuneTerritoryEntity } from './comune-territory.entity.js';

/** Every entity of the practices database, for `createDatabase({ entities })` and migrations. */
export const PRACTICES_ENTITIES = [
  ComuneTerritoryEntity,
  PracticeTypeEntity,
  PracticeEntity,
  PracticeChangeEntity,
  PracticeFeeEntity,
  IntegrationRequestEntity,
  PracticeMessageEntity,
  ProtocolCounterEntity,
  CitizenAliasEntity,
  AttachmentEntity,
  AttachmentContentEntity,
  OfficeCalendarEntity,
  AppointmentEntity,
  ReportEntity,
  ReportChangeEntity, // The lease of the scheduled jobs (one runner per slot across replicas).
  JobLease,
];

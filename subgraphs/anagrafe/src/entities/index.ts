import { JobLease } from '@sportello/platform';
import { CertificateRequestEntity } from './certificate-request.entity.js';
import { CertificateEntity } from './certificate.entity.js';
import { DocumentReminderEntity, IdentityDocumentEntity } from './identity-document.entity.js';
import {
  ResidenceChangeDocumentContentEntity,
  ResidenceChangeDocumentEntity,
} from './residence-change-document.entity.js';
import { ResidenceChangeEntity } from './residence-change.entity.js';
import { ResidentEntity } from './resident.entity.js';
import { StreetEntity } from './street.entity.js';

/** Every entity of the anagrafe database, for `createDatabase({ entities })` and migrations. */
export const ANAGRAFE_ENTITIES = [
  ResidentEntity,
  StreetEntity,
  ResidenceChangeDocumentEntity,
  ResidenceChangeDocumentContentEntity,
  IdentityDocumentEntity,
  DocumentReminderEntity,
  CertificateEntity,
  CertificateRequestEntity,
  ResidenceChangeEntity,
  // The lease of the scheduled jobs (one runner per slot across replicas).
  JobLease,
];

import { JobLease } from '@sportello/platform';
import { ApiClientEntity, ConsentGrantEntity } from './api-client.entity.js';
import { AuditEntryEntity } from './audit-entry.entity.js';
import { CitizenEntity, EmailVerificationEntity, TelegramLinkTokenEntity } from './citizen.entity.js';
import { DelegationEntity } from './delegation.entity.js';
import { OidcPayloadEntity } from './oidc-payload.entity.js';
import { RefreshTokenEntity } from './refresh-token.entity.js';
import { SigningKeyEntity } from './signing-key.entity.js';
import { StaffMemberEntity } from './staff-member.entity.js';

/** Every entity of the identity database, for `createDatabase({ entities })` and migrations. */
export const IDENTITY_ENTITIES = [
  CitizenEntity,
  EmailVerificationEntity,
  TelegramLinkTokenEntity,
  DelegationEntity,
  StaffMemberEntity,
  ApiClientEntity,
  ConsentGrantEntity,
  RefreshTokenEntity,
  SigningKeyEntity,
  OidcPayloadEntity,
  AuditEntryEntity, // The lease of the scheduled jobs (one runner per slot across replicas).
  JobLease,
];
